// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const vendorSdks = [
  'openai',
  'openai/*',
  '@anthropic-ai/sdk',
  '@anthropic-ai/sdk/*',
  '@google/genai',
  '@google/genai/*',
];
const frameworks = ['@nestjs/*', 'fastify', 'class-validator', 'class-transformer'];

/** Import boundaries from ARCHITECTURE.md, enforced. */
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/**', 'scripts/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // libs/core is framework-free and vendor-free. The OpenAI *types* are the internal format: type-only imports allowed.
  {
    files: ['libs/core/**/*.ts'],
    rules: restrict([
      { group: frameworks, message: 'libs/core is framework-free.' },
      {
        group: ['@anthropic-ai/sdk', '@anthropic-ai/sdk/*', '@google/genai', '@google/genai/*'],
        message: 'libs/core imports no vendor SDK.',
      },
      { group: ['@app/providers', '@app/providers/*'], message: 'core does not know providers.' },
    ]),
  },
  // Each provider folder imports core and its own SDK, never another provider.
  ...['anthropic', 'gemini', 'openai', 'local-ocr'].map((name) => ({
    files: [`libs/providers/src/${name}/**/*.ts`],
    rules: {
      ...restrict([
        { group: frameworks, message: 'providers are framework-free.' },
        ...['anthropic', 'gemini', 'openai', 'local-ocr']
          .filter((other) => other !== name)
          .map((other) => ({
            group: [`../${other}`, `../${other}/*`, `@app/providers/${other}*`],
            message: 'a provider never imports another provider.',
          })),
        ...(name === 'anthropic'
          ? []
          : [
              {
                group: ['@anthropic-ai/sdk', '@anthropic-ai/sdk/*'],
                message: 'only the anthropic folder uses its SDK.',
              },
            ]),
        ...(name === 'gemini'
          ? []
          : [
              {
                group: ['@google/genai', '@google/genai/*'],
                message: 'only the gemini folder uses its SDK.',
              },
            ]),
      ]),
      '@typescript-eslint/no-explicit-any': 'error',
    },
  })),
  // The app never imports a vendor SDK (the OpenAI types are the internal format, type-only).
  {
    files: ['apps/**/*.ts'],
    rules: restrict([
      {
        group: ['@anthropic-ai/sdk', '@anthropic-ai/sdk/*', '@google/genai', '@google/genai/*'],
        message: 'the app never imports a vendor SDK.',
      },
    ]),
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
