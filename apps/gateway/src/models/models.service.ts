import { Inject, Injectable } from '@nestjs/common';
import { GatewayError, type Logger } from '@app/core';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import type { GatewayConfig } from '../config/gateway-config';
import { BackendRegistry } from '../routing/backend-registry';

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const DISCOVERY_TTL_MS = 5 * 60_000;

/** Every routable model: configured names and aliases, plus (optionally) what upstreams report, cached. */
@Injectable()
export class ModelsService {
  private readonly startedAt = Math.floor(Date.now() / 1000);
  private discovered: { at: number; models: OpenAiModel[] } | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly backends: BackendRegistry,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async list(): Promise<OpenAiModel[]> {
    const seen = new Set<string>();
    const models: OpenAiModel[] = [];
    const add = (id: string, ownedBy: string, created = this.startedAt): void => {
      if (seen.has(id)) return;
      seen.add(id);
      models.push({ id, object: 'model', created, owned_by: ownedBy });
    };
    for (const model of this.config.models) add(model.id, model.backend);
    for (const model of await this.discover()) add(model.id, model.owned_by, model.created);
    return models;
  }

  async get(id: string): Promise<OpenAiModel> {
    const listed = (await this.list()).find((model) => model.id === id);
    if (listed) return listed;
    // Routable by pattern or prefix even if not listed (e.g. `anthropic/claude-x`).
    try {
      const route = this.backends.router.resolve(id);
      return { id, object: 'model', created: this.startedAt, owned_by: route.backend.name };
    } catch {
      throw GatewayError.modelNotFound(id);
    }
  }

  private async discover(): Promise<OpenAiModel[]> {
    const discovering = this.backends.entries.filter(({ backend }) => backend.discoverModels);
    if (discovering.length === 0) return [];
    if (this.discovered && Date.now() - this.discovered.at < DISCOVERY_TTL_MS) return this.discovered.models;
    const results = await Promise.allSettled(
      discovering.map(async ({ backend, adapter }) =>
        (await adapter.listModels()).map((model): OpenAiModel => ({
          id: `${backend.name}/${model.id}`,
          object: 'model',
          created: model.created ?? this.startedAt,
          owned_by: backend.name,
        })),
      ),
    );
    const models: OpenAiModel[] = [];
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') models.push(...result.value);
      else this.logger.warn({ backend: discovering[index].backend.name }, 'model discovery failed');
    });
    this.discovered = { at: Date.now(), models };
    return models;
  }
}
