'use strict';
// Bundles app.jsx (react, react-dom, @stytch/react, @stytch/vanilla-js) with esbuild into outdir.
const path = require('node:path');
const esbuild = require('esbuild');

async function bundle(outdir) {
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'app.jsx')],
    bundle: true,
    outfile: path.join(outdir, 'app.js'),
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  return path.join(outdir, 'app.js');
}

module.exports = { bundle };
if (require.main === module) bundle(process.argv[2] || path.join(__dirname, 'out')).then((f) => console.log(f));
