import type { Logger, ProviderAdapter, ProviderDefinition } from '@app/core';
import type { BackendConfig, GatewayConfig } from '../config/gateway-config';
import { ModelRouter } from './model-router';

/** Creates one adapter per configured backend from the provider registry, and the router over them. */
export class BackendRegistry {
  readonly entries: ReadonlyArray<{ backend: BackendConfig; adapter: ProviderAdapter }>;
  readonly router: ModelRouter;

  constructor(config: GatewayConfig, providers: readonly ProviderDefinition[], logger: Logger) {
    this.entries = config.backends.map((backend) => {
      const definition = providers.find((provider) => provider.kind === backend.provider);
      if (!definition) throw new Error(`No provider '${backend.provider}' for backend '${backend.name}'.`);
      return { backend, adapter: definition.create(backend, { logger }) };
    });
    this.router = new ModelRouter(this.entries, config.models, providers);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.entries.map(({ adapter }) => adapter.close?.()));
  }
}
