/* The ssoemu dashboard. Everything it shows and changes goes through the documented control API
 * (EMULATOR.md "Control API"), so this file doubles as an example of that API. No framework: a few
 * helpers that build DOM nodes (never HTML strings), one fetch wrapper, one render function per view.
 * ASCII only (src/embed.py embeds plain char arrays): other characters are written as \u escapes. */
'use strict';

(function () {
  const TOKEN_KEY = 'ssoemu.adminToken';
  const REQUESTS_POLL_MS = 1000;
  const STATE_POLL_MS = 3000;

  const $ = (id) => document.getElementById(id);

  /* el('td', {className: 'x'}, 'text', child): a node with properties (or data-/aria- attributes)
   * and children; strings become text nodes, so nothing from the server is ever parsed as HTML. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'scope') node.setAttribute(k, v);
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else node[k] = v;
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /* Puts rows into a table body. Each cell is labelled with its column's heading, which a narrow
   * window shows beside the cell when the table is laid out as a list of cards; the ARIA roles keep
   * it a table for assistive technology however the CSS lays it out. */
  function fill(tbody, rows, columns, empty) {
    tbody.replaceChildren(...(rows.length ? rows : [el('tr', { className: 'empty' }, el('td', { colSpan: columns }, empty))]));
    const heads = [...tbody.parentElement.tHead.rows[0].cells].map((th) => th.textContent.trim());
    for (const tr of tbody.rows) {
      tr.setAttribute('role', 'row');
      [...tr.cells].forEach((td, i) => {
        td.setAttribute('role', 'cell');
        if (tr.classList.contains('empty') || !heads[i]) return;
        td.dataset.label = heads[i];
        /* One box for the value, so that the label and the value sit side by side in a card. */
        td.append(el('div', { className: 'value' }, ...td.childNodes));
      });
    }
  }

  function tableRoles() {
    for (const table of document.querySelectorAll('.scroll table')) {
      table.setAttribute('role', 'table');
      for (const g of [table.tHead, ...table.tBodies]) g.setAttribute('role', 'rowgroup');
      for (const tr of table.tHead.rows) {
        tr.setAttribute('role', 'row');
        for (const th of tr.cells) th.setAttribute('role', 'columnheader');
      }
    }
  }

  /* --- the control API ---------------------------------------------------------------------- */

  class ApiError extends Error {
    constructor(status, body) {
      const type = body && body.error_type ? body.error_type : `HTTP ${status}`;
      super(body && body.error_message ? `${type}: ${body.error_message}` : type);
      this.status = status;
      this.body = body;
    }
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
  }

  let tokenWaiters = [];
  let cancelled = false;

  /* One call: same origin only, JSON in and out. Every write (anything but GET) carries
   * Content-Type: application/json and a JSON body ({} when the call takes none), as the control
   * API's protections require. A 401 asks for the admin token and retries with it; once the prompt
   * is cancelled, calls fail with the server's error until a token is given (the header button). */
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const t = token();
    if (t) headers.Authorization = `Bearer ${t}`;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body === undefined ? {} : body);
    }
    const res = await fetch(path, init);
    let data = null;
    try { data = await res.json(); } catch { data = null; }
    if (res.status === 401 && data && data.error_type === 'unauthorized_credentials' && !cancelled) {
      /* Asks again for as long as the server refuses the token, until the prompt is cancelled. */
      const given = await askToken(t ? 'That token was refused.' : '');
      if (given) return api(method, path, body);
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  function askToken(message) {
    return new Promise((resolve) => {
      tokenWaiters.push(resolve);
      if (tokenWaiters.length > 1) return;
      const err = $('token-error');
      err.textContent = message || '';
      err.hidden = !message;
      $('token-input').value = token();
      if (!$('token-dialog').open) $('token-dialog').showModal();
      $('token-input').focus();
    });
  }

  /* Closes the prompt; given says whether a token was entered (false: cancelled). */
  function tokenDone(given) {
    const waiters = tokenWaiters;
    tokenWaiters = [];
    cancelled = !given;
    if ($('token-dialog').open) $('token-dialog').close();
    waiters.forEach((w) => w(given));
  }

  let noticeTimer = null;
  function notice(text, isError) {
    const n = $('notice');
    n.textContent = text;
    n.className = isError ? 'notice error' : 'notice';
    n.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { n.hidden = true; }, isError ? 20000 : 6000);
  }

  /* Runs an action from a button or form, showing its outcome; returns the result or undefined. */
  async function act(fn, okText) {
    try {
      const r = await fn();
      if (okText) notice(okText, false);
      return r;
    } catch (e) {
      notice(e.message, true);
      return undefined;
    }
  }

  /* --- small formatting helpers ---------------------------------------------------------------- */

  function stamp(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return d.toISOString().replace('T', ' ').replace('.000Z', 'Z');
  }

  function expiry(iso) {
    if (!iso) return { text: 'never', cls: '' };
    const t = new Date(iso).getTime();
    if (Number.isNaN(t)) return { text: iso, cls: '' };
    const days = Math.floor((t - Date.now()) / 86400000);
    if (t <= Date.now()) return { text: `${iso.slice(0, 10)} (expired)`, cls: 'bad' };
    if (days < 1) {
      const minutes = Math.round((t - Date.now()) / 60000);
      const left = minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
      return { text: `${stamp(iso)} (in ${left})`, cls: 'warn' };
    }
    if (days < 30) return { text: `${iso.slice(0, 10)} (in ${days} days)`, cls: 'warn' };
    return { text: `${iso.slice(0, 10)} (in ${days} days)`, cls: '' };
  }

  function badge(status) {
    return el('span', { className: `badge ${status}` }, status);
  }

  function mask(secret) {
    if (!secret) return '';
    return secret.length > 12 ? `${secret.slice(0, 8)}\u2026${secret.slice(-4)}` : secret;
  }

  /* --- organizations: what is missing for active (API.md section 3) ---------------------------------- */

  const set = (v) => typeof v === 'string' && v.length > 0;

  /* The fields that keep a connection pending, as API.md section 3 states the rules. */
  function samlMissing(c) {
    const missing = [];
    if (!set(c.idp_sso_url)) missing.push('idp_sso_url');
    if (!set(c.idp_entity_id)) missing.push('idp_entity_id');
    if (!c.attribute_mapping || !set(c.attribute_mapping.email)) missing.push('attribute_mapping.email');
    if (!Array.isArray(c.verification_certificates) || c.verification_certificates.length === 0) missing.push('a verification certificate');
    return missing;
  }

  function oidcMissing(c) {
    // userinfo_url is optional (ORG.md section 6).
    return ['issuer', 'client_id', 'client_secret', 'authorization_url', 'token_url', 'jwks_url']
      .filter((k) => !set(c[k]));
  }

  let state = null;
  let stateError = null;

  let lastStateText = '';

  /* Members as GET /_emulator/members renders them (roles with their sources, status), where the
   * build has that call; null where it answers route_not_found. */
  let membersApi = new Map();
  let membersAvailable = null;

  async function loadMembers() {
    if (membersAvailable === false) return;
    try {
      const r = await api('GET', '/_emulator/members?limit=1000');
      membersApi = new Map((r.members || []).map((m) => [m.member_id, m]));
      membersAvailable = true;
    } catch (e) {
      if (e.status === 404 && e.body && e.body.error_type === 'route_not_found') {
        membersAvailable = false;
        membersApi = new Map();
        return;
      }
      throw e;
    }
  }

  async function loadState() {
    const [doc] = await Promise.all([api('GET', '/_emulator/state'), loadMembers()]);
    state = doc;
    lastStateText = JSON.stringify([state, [...membersApi.values()]]);
    stateError = null;
    return state;
  }

  function orgsById() {
    const m = new Map();
    for (const o of (state && state.organizations) || []) m.set(o.organization_id, o);
    return m;
  }

  function currentOrg() {
    const id = $('org-select').value;
    return orgsById().get(id) || ((state && state.organizations) || [])[0] || null;
  }

  function renderOrgSelect() {
    const sel = $('org-select');
    const keep = sel.value;
    const orgs = state.organizations || [];
    sel.replaceChildren(...orgs.map((o) => el('option', { value: o.organization_id }, `${o.organization_name} (${o.organization_slug})`)));
    if (orgs.some((o) => o.organization_id === keep)) sel.value = keep;
  }

  function connectionName(id) {
    for (const kind of ['saml_connections', 'oidc_connections', 'external_connections', 'scim_connections']) {
      const c = (state[kind] || []).find((x) => x.connection_id === id);
      if (c) return c.display_name || id;
    }
    return id;
  }

  function renderSso(org) {
    const rows = [];
    const of = (list) => (list || []).filter((c) => c.organization_id === org.organization_id);
    for (const c of of(state.saml_connections)) rows.push({ c, type: 'SAML', missing: samlMissing(c) });
    for (const c of of(state.oidc_connections)) rows.push({ c, type: 'OIDC', missing: oidcMissing(c) });
    for (const c of of(state.external_connections)) {
      const src = orgsById().get(c.external_organization_id);
      rows.push({ c, type: `External (${src ? src.organization_name : c.external_organization_id}: ${connectionName(c.external_connection_id)})`, missing: [] });
    }
    fill($('sso-table').tBodies[0], rows.map(({ c, type, missing }) => {
      const status = missing.length ? 'pending' : 'active';
      return el('tr', { 'data-connection-id': c.connection_id, 'data-status': status },
        el('td', {}, c.display_name || '(no name)'),
        el('td', {}, type, c.identity_provider ? el('span', { className: 'small' }, ` \u00b7 ${c.identity_provider}`) : null),
        el('td', {}, badge(status)),
        el('td', { className: 'missing' }, missing.length ? el('ul', {}, missing.map((m) => el('li', {}, m))) : '\u2014'),
        el('td', { className: 'mono small' }, c.connection_id));
    }), 5, 'No SSO connection.');
  }

  function renderScim(org) {
    const list = (state.scim_connections || []).filter((c) => c.organization_id === org.organization_id);
    fill($('scim-table').tBodies[0], list.map((c) => {
      const groups = (state.scim_groups || []).filter((g) => g.connection_id === c.connection_id);
      const exp = expiry(c.bearer_token_expires_at);
      return el('tr', { 'data-connection-id': c.connection_id },
        el('td', {}, c.display_name || '(no name)'),
        el('td', {}, c.identity_provider || ''),
        el('td', {}, badge('active')),
        el('td', {}, c.bearer_token_last_four ? `\u2026${c.bearer_token_last_four}` : '', el('br'),
          el('span', { className: `small ${exp.cls}` }, `expires ${exp.text}`),
          c.next_bearer_token_last_four ? el('div', { className: 'small' }, `rotation under way: \u2026${c.next_bearer_token_last_four}`) : null),
        el('td', {}, groups.length ? groups.map((g) => g.group_name).join(', ') : '\u2014'),
        el('td', { className: 'mono small' }, c.connection_id));
    }), 6, 'No SCIM connection.');
  }

  function renderCerts(org) {
    const rows = [];
    for (const c of (state.saml_connections || []).filter((x) => x.organization_id === org.organization_id)) {
      for (const [kind, list] of [['verification', c.verification_certificates], ['signing', c.signing_certificates]]) {
        for (const cert of list || []) {
          const exp = expiry(cert.expires_at);
          rows.push(el('tr', { 'data-certificate-id': cert.certificate_id || '' },
            el('td', {}, c.display_name || c.connection_id),
            el('td', {}, kind),
            el('td', {}, cert.issuer || ''),
            el('td', { className: exp.cls }, exp.text),
            el('td', { className: 'mono small' }, cert.certificate_id || '(none)')));
        }
      }
    }
    fill($('cert-table').tBodies[0], rows, 5, 'No certificate.');
  }

  /* Where a member's roles come from, as far as the state document says: stytch_member for
   * everyone, the roles stored on the member as direct assignments, and the organization's
   * email-domain rules. Role objects that already carry sources are shown as they are. */
  function sourceText(src) {
    const d = src.details || {};
    const what = [];
    if (d.connection_id) what.push(connectionName(d.connection_id));
    if (d.group_id) {
      const g = (state.scim_groups || []).find((x) => x.group_id === d.group_id);
      what.push(g ? g.group_name : d.group_id);
    }
    for (const k of ['domain', 'group', 'group_name']) if (d[k]) what.push(d[k]);
    return what.length ? `${src.type} (${what.join(', ')})` : src.type;
  }

  function memberRoles(m, org) {
    const roles = new Map();
    const add = (role, source) => {
      if (!roles.has(role)) roles.set(role, []);
      if (!roles.get(role).includes(source)) roles.get(role).push(source);
    };
    const rendered = membersApi.get(m.member_id);
    if (rendered && Array.isArray(rendered.roles)) {
      /* The server's own account of each role and its sources. */
      for (const r of rendered.roles) {
        if (r && r.role_id) for (const src of r.sources && r.sources.length ? r.sources : [{ type: 'every member' }]) add(r.role_id, sourceText(src));
      }
      if (!roles.has('stytch_member')) add('stytch_member', 'every member');
      return roles;
    }
    add('stytch_member', 'every member');
    for (const r of m.roles || []) {
      if (typeof r === 'string') add(r, 'direct_assignment');
      else if (r && r.role_id) for (const src of r.sources || [{ type: 'direct_assignment' }]) add(r.role_id, sourceText(src));
    }
    const domain = (m.email_address || '').split('@')[1] || '';
    for (const a of org.rbac_email_implicit_role_assignments || []) {
      if (a && a.domain && a.domain.toLowerCase() === domain.toLowerCase()) add(a.role_id, `email_assignment (${a.domain})`);
    }
    return roles;
  }

  function renderMembers(org) {
    const members = (state.members || []).filter((m) => m.organization_id === org.organization_id);
    fill($('members-table').tBodies[0], members.map((m) => {
      const roles = memberRoles(m, org);
      const status = (membersApi.get(m.member_id) || m).status;
      return el('tr', { 'data-member-id': m.member_id },
        el('td', {}, m.email_address),
        el('td', {}, m.name || '', status && status !== 'active' ? [' ', badge(status)] : null),
        el('td', {}, el('ul', { className: 'roles' }, [...roles].map(([role, sources]) =>
          el('li', {}, el('span', { className: 'role' }, role), ' ', el('span', { className: 'small' }, sources.join(', ')))))),
        el('td', { className: 'mono small' }, m.member_id));
    }), 4, 'No member.');

    /* Rules that give roles at sign-in or through SCIM groups, per connection. */
    const rules = [];
    for (const c of (state.saml_connections || []).filter((x) => x.organization_id === org.organization_id)) {
      for (const a of c.saml_connection_implicit_role_assignments || []) rules.push(`${a.role_id}: sso_connection, anyone signing in through ${c.display_name}`);
      for (const a of c.saml_group_implicit_role_assignments || []) rules.push(`${a.role_id}: sso_connection_group, members of group \u201c${a.group}\u201d signing in through ${c.display_name}`);
    }
    for (const c of (state.external_connections || []).filter((x) => x.organization_id === org.organization_id)) {
      for (const a of c.external_connection_implicit_role_assignments || []) rules.push(`${a.role_id}: sso_connection, anyone signing in through ${c.display_name}`);
      for (const a of c.external_group_implicit_role_assignments || []) rules.push(`${a.role_id}: sso_connection_group, group \u201c${a.group}\u201d through ${c.display_name}`);
    }
    for (const c of (state.scim_connections || []).filter((x) => x.organization_id === org.organization_id)) {
      for (const a of c.scim_group_implicit_role_assignments || []) rules.push(`${a.role_id}: scim_connection_group, members of SCIM group \u201c${a.group_name || a.group_id}\u201d`);
    }
    $('role-rules').replaceChildren(...(rules.length ? [el('p', { className: 'small' }, 'Implicit role rules of this organization:'), el('ul', { className: 'small' }, rules.map((r) => el('li', {}, r)))] : []));
  }

  function renderSessions(org) {
    const members = new Map((state.members || []).filter((m) => m.organization_id === org.organization_id).map((m) => [m.member_id, m]));
    const sel = $('mint-member');
    const keep = sel.value;
    sel.replaceChildren(...[...members.values()].map((m) => el('option', { value: m.member_id }, m.email_address)));
    if (members.has(keep)) sel.value = keep;
    const sessions = (state.sessions || []).filter((s) => members.has(s.member_id));
    fill($('sessions-table').tBodies[0], sessions.map((s) => {
      const exp = expiry(s.expires_at);
      return el('tr', { 'data-session-id': s.member_session_id },
        el('td', {}, members.get(s.member_id).email_address),
        el('td', { className: 'mono small', title: s.member_session_id }, mask(s.session_token)),
        el('td', {}, stamp(s.started_at)),
        el('td', { className: exp.cls }, exp.text),
        el('td', {}, el('button', {
          type: 'button', className: 'danger small-button', 'aria-label': `Revoke session of ${members.get(s.member_id).email_address} (${mask(s.session_token)})`,
          on: { click: () => revoke(s.session_token) },
        }, 'Revoke')));
    }), 5, 'No session.');
  }

  function renderOrgs() {
    if (!state) return;
    renderOrgSelect();
    const org = currentOrg();
    if (!org) {
      $('org-ids').textContent = 'No organization in the state.';
      return;
    }
    $('org-ids').textContent = org.organization_id;
    renderSso(org);
    renderScim(org);
    renderCerts(org);
    renderMembers(org);
    renderSessions(org);
  }

  async function revoke(sessionToken) {
    const r = await act(() => api('DELETE', `/_emulator/sessions/${encodeURIComponent(sessionToken)}`), 'Session revoked.');
    if (r) await refresh();
  }

  async function mint(ev) {
    ev.preventDefault();
    const body = { member_id: $('mint-member').value };
    const minutes = $('mint-minutes').value.trim();
    if (minutes) body.session_duration_minutes = Number(minutes);
    const r = await act(() => api('POST', '/_emulator/sessions', body), 'Session minted.');
    if (!r) return;
    const m = (state.members || []).find((x) => x.member_id === r.member_id);
    $('minted-member').textContent = m ? m.email_address : r.member_id;
    $('minted-expires').textContent = r.expires_at;
    $('minted-token').value = r.session_token;
    $('minted-jwt').value = r.session_jwt;
    $('minted').hidden = false;
    await refresh();
  }

  /* --- requests --------------------------------------------------------------------------------- */

  let requests = [];
  let paused = false;
  const surfaces = new Set();

  async function loadRequests() {
    const r = await api('GET', '/_emulator/requests?limit=100');
    requests = r.requests || [];
  }

  function statusMatches(status, filter) {
    if (!filter) return true;
    if (filter === 'error') return status >= 400;
    return String(status)[0] === filter;
  }

  function renderRequests() {
    const fs = $('filter-status').value;
    const fsurf = $('filter-surface').value;
    for (const r of requests) {
      if (r.surface && !surfaces.has(r.surface)) {
        surfaces.add(r.surface);
        $('filter-surface').append(el('option', { value: r.surface }, r.surface));
      }
    }
    const shown = requests.filter((r) => statusMatches(r.status, fs) && (!fsurf || r.surface === fsurf));
    fill($('requests-table').tBodies[0], shown.map((r) => el('tr', { 'data-request-id': r.request_id, className: r.status >= 500 ? 'row-bad' : r.status >= 400 ? 'row-warn' : '' },
      el('td', { className: 'small' }, stamp(r.time)),
      el('td', {}, r.method),
      el('td', { className: 'path' }, el('button', { type: 'button', className: 'link', on: { click: () => details(r) } }, r.path)),
      el('td', {}, String(r.status)),
      el('td', {}, r.error_type || ''),
      el('td', {}, r.surface || ''),
      el('td', { className: 'num' }, r.duration_ms === undefined ? '' : String(r.duration_ms)))),
    7, requests.length ? 'No request matches the filters.' : 'No request yet.');
    $('requests-count').textContent = `${shown.length} of ${requests.length} shown${paused ? ' (paused)' : ''}`;
  }

  /* Sign-in events, where this build has sign-in (a 404 route_not_found says it has not). */
  let signinAvailable = null;

  function when(v) {
    if (typeof v === 'number') return stamp(new Date(v * 1000).toISOString());
    return stamp(v);
  }

  function nameOf(id) {
    if (!state || !id) return id || '';
    const org = orgsById().get(id);
    return org ? org.organization_name : connectionName(id);
  }

  async function loadSignin() {
    if (signinAvailable === false) return;
    let flows;
    let assertions;
    try {
      [flows, assertions] = await Promise.all([api('GET', '/_emulator/sso/flows?limit=20'), api('GET', '/_emulator/sso/assertions?limit=20')]);
    } catch (e) {
      if (e.status === 404 && e.body && e.body.error_type === 'route_not_found') {
        signinAvailable = false;
        $('signin-panel').hidden = true;
        return;
      }
      throw e;
    }
    if (!state) await loadState().catch(() => null);
    signinAvailable = true;
    $('signin-panel').hidden = false;
    fill($('flows-table').tBodies[0], (flows.flows || []).map((f) => el('tr', { 'data-flow-id': f.flow_id || '' },
      el('td', {}, el('button', { type: 'button', className: 'link', on: { click: () => details(f, `Flow ${f.flow_id || ''}`) } }, when(f.created_at) || '(no time)')),
      el('td', {}, nameOf(f.organization_id)),
      el('td', {}, nameOf(f.connection_id)),
      el('td', {}, f.state ? badge(f.state) : ''),
      el('td', {}, f.error_type || ''))), 5, 'No sign-in flow yet.');
    fill($('assertions-table').tBodies[0], (assertions.assertions || []).map((a) => {
      const checks = Array.isArray(a.checks) ? a.checks : [];
      const passed = checks.filter((c) => c.ok).length;
      return el('tr', { className: a.error_type ? 'row-bad' : '' },
        el('td', {}, el('button', { type: 'button', className: 'link', on: { click: () => details(a, `Callback ${a.connection_id || ''}`) } }, when(a.time) || '(no time)')),
        el('td', {}, a.protocol || ''),
        el('td', {}, nameOf(a.connection_id)),
        el('td', {}, a.email || ''),
        el('td', {}, checks.length ? `${passed} of ${checks.length} passed` : ''),
        el('td', {}, a.error_type || ''));
    }), 6, 'No callback yet.');
  }

  function details(r, title) {
    const keys = ['time', 'method', 'path', 'surface', 'status', 'error_type', 'duration_ms', 'request_id'];
    const rest = Object.keys(r).filter((k) => !keys.includes(k));
    $('details-title').textContent = title || `${r.method} ${r.path}`;
    $('details-list').replaceChildren(...[...keys, ...rest].filter((k) => k in r).flatMap((k) => [
      el('dt', {}, k),
      el('dd', { className: 'mono' }, r[k] === null ? '\u2014' : typeof r[k] === 'object' ? JSON.stringify(r[k], null, 2) : String(r[k])),
    ]));
    $('details').showModal();
  }

  /* --- faults and settings ------------------------------------------------------------------------ */

  async function renderFaults() {
    const r = await api('GET', '/_emulator/faults');
    fill($('faults-table').tBodies[0], (r.faults || []).map((f) => el('tr', { 'data-fault-id': f.id },
      el('td', { className: 'mono' }, f.id),
      el('td', {}, f.method || 'any'),
      el('td', { className: 'mono' }, f.path || 'any'),
      el('td', {}, String(f.status)),
      el('td', {}, f.error_type || ''),
      el('td', {}, String(f.count)),
      el('td', {}, f.delay_ms ? `${f.delay_ms} ms` : '\u2014'))), 7, 'No fault rule.');
  }

  async function addFault(ev) {
    ev.preventDefault();
    const body = {};
    const v = (id) => $(id).value.trim();
    if (v('fault-method')) body.method = v('fault-method');
    if (v('fault-path')) body.path = v('fault-path');
    if (v('fault-status')) body.status = Number(v('fault-status'));
    if (v('fault-error')) body.error_type = v('fault-error');
    if (v('fault-count')) body.count = Number(v('fault-count'));
    if (v('fault-delay') && Number(v('fault-delay')) > 0) body.delay_ms = Number(v('fault-delay'));
    const r = await act(() => api('POST', '/_emulator/faults', body));
    if (r) {
      notice(`Fault ${r.fault.id} added.`, false);
      await act(renderFaults);
    }
  }

  async function clearFaults() {
    const r = await act(() => api('DELETE', '/_emulator/faults'));
    if (r) {
      notice(`${r.cleared} fault rule(s) cleared.`, false);
      await act(renderFaults);
    }
  }

  /* Settings other than these two (a build may add its own, e.g. for sign-in) get a checkbox or a
   * number field of their own, so that the page can change them too. */
  const KNOWN_SETTINGS = ['rate_limit', 'sdk_member_actions_enabled'];

  function showExtraSettings(cfg) {
    const form = $('config-form');
    for (const n of form.querySelectorAll('.extra')) n.remove();
    const actions = form.querySelector('.actions');
    for (const [key, value] of Object.entries(cfg)) {
      if (KNOWN_SETTINGS.includes(key) || (typeof value !== 'boolean' && typeof value !== 'number')) continue;
      const id = `setting-${key}`;
      const input = typeof value === 'boolean'
        ? el('input', { id, type: 'checkbox', checked: value, 'data-setting': key })
        : el('input', { id, type: 'number', value: String(value), inputMode: 'numeric', 'data-setting': key });
      form.insertBefore(el('label', { htmlFor: id, className: 'extra mono' }, key), actions);
      form.insertBefore(el('span', { className: 'extra' }, input), actions);
    }
  }

  function showConfig(cfg) {
    showExtraSettings(cfg);
    const rl = cfg.rate_limit;
    $('rate-on').checked = !!rl;
    $('rate-requests').value = rl ? rl.requests : ($('rate-requests').value || 100);
    $('rate-seconds').value = rl ? rl.seconds : ($('rate-seconds').value || 1);
    $('rate-requests').disabled = !rl;
    $('rate-seconds').disabled = !rl;
    $('member-actions').checked = !!cfg.sdk_member_actions_enabled;
    $('config-now').textContent = `Now: ${rl ? `${rl.requests} requests per ${rl.seconds} s` : 'no rate limit'}, member actions ${cfg.sdk_member_actions_enabled ? 'on' : 'off'}.`;
  }

  async function loadConfig() {
    showConfig(await api('GET', '/_emulator/config'));
  }

  async function saveConfig(ev) {
    ev.preventDefault();
    const body = {
      rate_limit: $('rate-on').checked ? { requests: Number($('rate-requests').value), seconds: Number($('rate-seconds').value) } : null,
      sdk_member_actions_enabled: $('member-actions').checked,
    };
    for (const input of $('config-form').querySelectorAll('[data-setting]')) {
      body[input.dataset.setting] = input.type === 'checkbox' ? input.checked : Number(input.value);
    }
    const r = await act(() => api('PATCH', '/_emulator/config', body), 'Settings saved.');
    if (r) showConfig(r);
  }

  /* --- state ---------------------------------------------------------------------------------------- */

  async function exportState() {
    const doc = await act(() => api('GET', '/_emulator/state'));
    if (!doc) return;
    const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
    const a = el('a', { href: URL.createObjectURL(blob), download: `ssoemu-state-${new Date().toISOString().replace(/[:.]/g, '-')}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    notice('State downloaded.', false);
  }

  async function importState(ev) {
    ev.preventDefault();
    const file = $('import-file').files[0];
    const out = $('import-result');
    if (!file) return;
    let text;
    try {
      text = await file.text();
    } catch (e) {
      out.textContent = `The file could not be read: ${e.message}`;
      out.className = 'result error';
      out.hidden = false;
      return;
    }
    /* The server validates the document; its error says what is wrong, and nothing changes. */
    try {
      await api('PUT', '/_emulator/state', text);
      out.textContent = `Imported ${file.name}: the state was replaced.`;
      out.className = 'result ok';
      await refresh();
    } catch (e) {
      out.textContent = `Refused, nothing changed. ${e.message}`;
      out.className = 'result error';
    }
    out.hidden = false;
  }

  async function reset() {
    if (!window.confirm('Reset the emulator to its fixtures? Connections, sessions, faults and the request log are lost.')) return;
    const r = await act(() => api('POST', '/_emulator/reset'), 'Emulator reset to its fixtures.');
    if (r) {
      $('minted').hidden = true;
      await refresh();
    }
  }

  function renderSummary() {
    if (!state) return;
    const count = (k) => (Array.isArray(state[k]) ? state[k].length : 0);
    const items = [['Project', state.project ? state.project.project_id : ''],
      ...['organizations', 'members', 'sessions', 'saml_connections', 'oidc_connections', 'external_connections', 'scim_connections', 'scim_groups']
        .map((k) => [k, String(count(k))])];
    $('state-summary').replaceChildren(...items.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }

  /* --- views and refreshing ------------------------------------------------------------------------ */

  function view() {
    const v = (location.hash || '#orgs').slice(1);
    return ['orgs', 'requests', 'faults', 'state'].includes(v) ? v : 'orgs';
  }

  /* Loads and draws the current view. A timed refresh (auto) redraws only what changed and leaves
   * the settings form alone, so that focus and half-typed values survive. */
  async function refresh(auto) {
    const v = view();
    try {
      if (v === 'orgs') {
        const before = lastStateText;
        await loadState();
        if (!auto || lastStateText !== before) renderOrgs();
      } else if (v === 'requests') {
        await loadRequests();
        renderRequests();
        await loadSignin();
      } else if (v === 'faults') {
        await (auto ? renderFaults() : Promise.all([renderFaults(), loadConfig()]));
      } else if (v === 'state') {
        await loadState();
        renderSummary();
      }
      document.body.dataset.loaded = v;
    } catch (e) {
      if (String(e.message) !== String(stateError)) notice(e.message, true);
      stateError = e.message;
    }
  }

  function showView() {
    const v = view();
    for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== `view-${v}`;
    for (const a of document.querySelectorAll('nav a')) {
      if (a.dataset.view === v) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    delete document.body.dataset.loaded;
    $('notice').hidden = true;
    refresh();
  }

  let timer = null;
  function schedule() {
    clearTimeout(timer);
    const v = view();
    const ms = v === 'requests' ? REQUESTS_POLL_MS : STATE_POLL_MS;
    timer = setTimeout(async () => {
      const busy = tokenWaiters.length > 0 || document.hidden || (v === 'requests' && paused) || v === 'state';
      if (!busy) await refresh(true);
      schedule();
    }, ms);
  }

  function init() {
    tableRoles();
    window.addEventListener('hashchange', showView);
    $('org-select').addEventListener('change', () => renderOrgs());
    $('mint-form').addEventListener('submit', mint);
    $('filter-status').addEventListener('change', renderRequests);
    $('filter-surface').addEventListener('change', renderRequests);
    $('requests-pause').addEventListener('click', () => {
      paused = !paused;
      $('requests-pause').setAttribute('aria-pressed', String(paused));
      $('requests-pause').textContent = paused ? 'Resume' : 'Pause';
      renderRequests();
    });
    $('details-close').addEventListener('click', () => $('details').close());
    $('fault-form').addEventListener('submit', addFault);
    $('faults-clear').addEventListener('click', clearFaults);
    $('rate-on').addEventListener('change', () => {
      $('rate-requests').disabled = !$('rate-on').checked;
      $('rate-seconds').disabled = !$('rate-on').checked;
    });
    $('config-form').addEventListener('submit', saveConfig);
    $('state-export').addEventListener('click', exportState);
    $('import-form').addEventListener('submit', importState);
    $('reset').addEventListener('click', reset);

    $('token-button').addEventListener('click', () => askToken('').then((given) => { if (given) refresh(); }));
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token-input').value.trim();
      try {
        if (t) sessionStorage.setItem(TOKEN_KEY, t);
        else sessionStorage.removeItem(TOKEN_KEY);
      } catch { /* storage refused: the token lasts until the page is left */ }
      tokenDone(true);
    });
    $('token-forget').addEventListener('click', () => {
      try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* nothing stored */ }
      $('token-input').value = '';
      tokenDone(false);
    });
    $('token-cancel').addEventListener('click', () => tokenDone(false));
    $('token-dialog').addEventListener('cancel', (ev) => {
      ev.preventDefault();
      tokenDone(false);
    });

    showView();
    schedule();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
