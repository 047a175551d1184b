/** The dependency directions of DESIGN.md §3, enforced by `npm run lint`. */
const pure = '^bot/(call-flow|assistant|routing)/';
module.exports = {
  forbidden: [
    {
      name: 'pure-core-has-no-io',
      comment: 'Deciders, assistant and routing are pure: no Azure SDK, no node I/O modules, no adapters.',
      severity: 'error',
      from: { path: pure },
      to: {
        path: [
          '^node_modules/@azure/',
          '^bot/adapters/',
          '^bot/handle-',
          '^bot/wiring',
          '^local/',
          '^functions/',
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'pure-core-no-node-io',
      severity: 'error',
      from: { path: pure },
      to: { dependencyTypes: ['core'], path: '^(fs|http|https|net|child_process|dgram|tls|node:fs|node:http|node:https|node:net|node:child_process|node:dgram|node:tls)$' },
    },
    {
      name: 'only-adapters-import-azure-sdks',
      comment: 'bot/ outside bot/adapters/ never imports @azure/*.',
      severity: 'error',
      from: { path: '^bot/', pathNot: '^bot/adapters/' },
      to: { path: '^node_modules/@azure/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'bot-does-not-import-hosts',
      comment: 'The app never reaches into the local Azure or the Functions registrations.',
      severity: 'error',
      from: { path: '^bot/' },
      to: { path: '^(local|functions)/' },
    },
    {
      name: 'functions-call-bot-entry-points-only',
      comment: 'functions/ imports bot/ wiring, config and assertNever only, never adapters or deciders.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^bot/(adapters|call-flow|assistant|routing)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
