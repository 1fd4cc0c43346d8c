import { GatewayError, type ProviderAdapter, type ProviderDefinition } from '@app/core';
import type { BackendConfig, ConfiguredModel } from '../config/gateway-config';
import { globMatches } from '../config/load-config';

export interface Route {
  readonly adapter: ProviderAdapter;
  readonly backend: BackendConfig;
  /** The model name sent upstream. */
  readonly upstreamModel: string;
}

/** Pattern matches remembered (model names come from clients, so the memory is bounded). */
const MAX_REMEMBERED_PATTERN_ROUTES = 1000;

/**
 * Model name → backend + upstream model, in this order:
 * 1. configured models and aliases; 2. `backend/model`; 3. each backend's patterns (`claude-*`).
 */
export class ModelRouter {
  private readonly configured = new Map<string, ConfiguredModel>();
  private readonly byName = new Map<string, { backend: BackendConfig; adapter: ProviderAdapter }>();
  private readonly patternRoutes = new Map<string, Route>();

  constructor(
    private readonly backends: ReadonlyArray<{ backend: BackendConfig; adapter: ProviderAdapter }>,
    models: readonly ConfiguredModel[],
    private readonly providers: readonly ProviderDefinition[],
  ) {
    for (const model of models) if (!this.configured.has(model.id)) this.configured.set(model.id, model);
    for (const entry of backends) this.byName.set(entry.backend.name, entry);
  }

  resolve(model: string): Route {
    const configured = this.configured.get(model);
    if (configured) {
      const entry = this.byName.get(configured.backend);
      if (entry) return { ...entry, upstreamModel: configured.upstreamModel };
    }
    const slash = model.indexOf('/');
    if (slash > 0) {
      const entry = this.byName.get(model.slice(0, slash));
      if (entry && slash < model.length - 1) return { ...entry, upstreamModel: model.slice(slash + 1) };
    }
    return this.patternRoutes.get(model) ?? this.matchPattern(model);
  }

  private matchPattern(model: string): Route {
    for (const entry of this.backends) {
      for (const pattern of entry.backend.modelPatterns) {
        if (globMatches(pattern, model)) {
          const route: Route = { ...entry, upstreamModel: model };
          if (this.patternRoutes.size < MAX_REMEMBERED_PATTERN_ROUTES) this.patternRoutes.set(model, route);
          return route;
        }
      }
    }
    throw this.notRoutable(model);
  }

  /** A 404 that tells the operator which setting would make the model routable. */
  private notRoutable(model: string): GatewayError {
    const error = GatewayError.modelNotFound(model);
    const provider = this.providers.find((definition) =>
      definition.defaultModelPatterns.some((pattern) => globMatches(pattern, model)),
    );
    if (provider && !this.byName.has(provider.kind) && provider.environment?.apiKey) {
      return new GatewayError(
        404,
        `${error.message} The '${provider.kind}' backend is not configured: set ${provider.environment.apiKey}.`,
        { type: error.type, param: error.param, code: error.code },
      );
    }
    return error;
  }
}
