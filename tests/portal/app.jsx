// The page the browser test renders: Stytch's own Admin Portal components, unmodified, with the
// SDK pointed at ssoemu. window.SSOEMU_URL (set by the test server in index.html) is the API base.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { StytchB2BProvider } from '@stytch/react/b2b';
import { AdminPortalSSO, AdminPortalSCIM } from '@stytch/react/b2b/adminPortal';
import { StytchB2BClient } from '@stytch/vanilla-js/b2b';

const PUBLIC_TOKEN = 'public-token-test-11111111-1111-4111-8111-111111111111';
const url = window.SSOEMU_URL;

// As README "Stytch's Admin Portal" shows: the test public token makes the SDK use testAPIURL.
const client = new StytchB2BClient(PUBLIC_TOKEN, { endpoints: { testAPIURL: url, liveAPIURL: url } });

const which = new URLSearchParams(window.location.search).get('portal');
const Portal = which === 'scim' ? AdminPortalSCIM : AdminPortalSSO;

createRoot(document.getElementById('root')).render(
  <StytchB2BProvider stytch={client}>
    <Portal />
  </StytchB2BProvider>,
);
