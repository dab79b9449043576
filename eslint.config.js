import tseslint from 'typescript-eslint';
import noThreadClosure from './tools/eslint/no-thread-closure.js';
import noUnconsumedGenerator from './tools/eslint/no-unconsumed-generator.js';

export default tseslint.config(
  { ignores: ['build/', 'dist/', 'web/dist/', 'node_modules/', 'bin/', 'tools/', 'eslint.config.js', 'web/vite.config.ts'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { model: { rules: { 'no-unconsumed-generator': noUnconsumedGenerator, 'no-thread-closure': noThreadClosure } } },
    rules: {
      'model/no-unconsumed-generator': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-yield': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  // The classic programs spawn module-level thread bodies (the kernel scenarios' actors are not
  // converted yet: world.ts kthread_run and the scenarios' run_actors still take closures).
  { files: ['src/scenarios/classic/**/*.ts'], ignores: ['**/*.test.ts'], rules: { 'model/no-thread-closure': 'error' } },
);
