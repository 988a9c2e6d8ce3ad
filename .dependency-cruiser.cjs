// The layer table of STYLE.md ("arrows point down only"), checked by dependency-cruiser.
// `npm run deps` prints each violation with the rule's name and exits non-zero on an error.
//
//   entry      src/server.ts, src/start.ts, src/app.ts    anything (app.ts mounts every feature)
//   features   every other folder of src/ (capture, posters, themes, dashboard, api, followup,
//              updates, admin, and features still to come): the layers below, and other
//              features only through their entry file <feature>/index.ts
//   shell      staff/ (management shell), answers/ (write model), pdf/ (fonts, documents):
//              plumbing and base; staff/ may use answers/
//   plumbing   auth/, http/: base (auth/ may import http/)
//   base       db/, config.ts, i18n/, audit/, ops/: each other, without circles
//
// A new folder under src/ is a feature unless it is named in one of the lists below, so a
// feature added later is held to the feature rules without editing this file.

const SHELL = ['staff', 'answers', 'pdf'];
const PLUMBING = ['auth', 'http'];
const BASE = ['db', 'i18n', 'audit', 'ops'];
const NOT_FEATURES = [...SHELL, ...PLUMBING, ...BASE];

const folders = (names) => `^src/(${names.join('|')})/`;

const ENTRY = '^src/(server|start|app)\\.ts$';
// Group 1 is the feature's folder name, for the `$1` back-references below.
const FEATURE = `^src/((?!(?:${NOT_FEATURES.join('|')})/)[^/]+)/`;
const SHELL_PATH = folders(SHELL);
const PLUMBING_PATH = folders(PLUMBING);
const BASE_PATH = [folders(BASE), '^src/config\\.ts$'];
const ENTRY_FILE = '^src/[^/]+/index\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circles',
      severity: 'error',
      comment: 'A module reaches itself again through its imports. Cut the circle: move what both sides need one layer down.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-circles',
      severity: 'error',
      comment: 'Two folders of src/ import each other, directly or round a longer circle (no circles between features, nor within base).',
      scope: 'folder',
      from: { path: '^src/[^/]+' },
      to: { path: '^src/[^/]+', circular: true },
    },
    {
      name: 'feature-only-through-entry',
      severity: 'error',
      comment: "A feature imports another feature's inner file. Import its entry file <feature>/index.ts, which exports the plugin and the few functions others may call.",
      from: { path: FEATURE },
      to: { path: FEATURE, pathNot: ['^src/$1/', ENTRY_FILE] },
    },
    {
      name: 'capture-themes-never-dashboard',
      severity: 'error',
      comment: 'capture/ and themes/ never import dashboard/, not even its entry file: dashboard reads what they write.',
      from: { path: '^src/(capture|themes)/' },
      to: { path: '^src/dashboard/' },
    },
    {
      name: 'shell-never-feature',
      severity: 'error',
      comment: 'staff/, answers/ and pdf/ sit below the features: they import plumbing and base only (staff/ may use answers/).',
      from: { path: SHELL_PATH },
      to: { path: [FEATURE, ENTRY] },
    },
    {
      name: 'shell-only-staff-to-answers',
      severity: 'error',
      comment: 'Among staff/, answers/ and pdf/ the one arrow allowed is staff/ -> answers/.',
      from: { path: SHELL_PATH },
      to: { path: SHELL_PATH, pathNot: ['^src/$1/', '^src/answers/'] },
    },
    {
      name: 'shell-only-staff-to-answers',
      severity: 'error',
      comment: 'Among staff/, answers/ and pdf/ the one arrow allowed is staff/ -> answers/.',
      from: { path: '^src/pdf/' },
      to: { path: '^src/answers/' },
    },
    {
      name: 'plumbing-only-base',
      severity: 'error',
      comment: 'auth/ and http/ import base only (db/, config.ts, i18n/, audit/, ops/), and auth/ may import http/.',
      from: { path: PLUMBING_PATH },
      to: { path: [ENTRY, FEATURE, SHELL_PATH] },
    },
    {
      name: 'plumbing-only-base',
      severity: 'error',
      comment: 'http/ never imports auth/ (the arrow runs auth/ -> http/).',
      from: { path: '^src/http/' },
      to: { path: '^src/auth/' },
    },
    {
      name: 'base-never-up',
      severity: 'error',
      comment: 'db/, config.ts, i18n/, audit/ and ops/ import each other only, never a layer above.',
      from: { path: BASE_PATH },
      to: { path: [ENTRY, FEATURE, SHELL_PATH, PLUMBING_PATH] },
    },
    {
      name: 'migrations-stand-alone',
      severity: 'error',
      comment: 'A migration is written once against Kysely<any>: it imports nothing from src/ (STYLE.md rule 7).',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import resolves to no file and no installed package.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'The package is installed but not declared in package.json: it works here by accident.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment: 'Production code imports a devDependency, which `npm ci --omit=dev` leaves out. Type-only imports are fine.',
      from: { path: ['^src/', '^migrations/'] },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a layer that needs another layer's types depends on its design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    cache: false,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
