import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger, ProviderDefinition } from '@app/core';
import type { GatewayConfig } from './config/gateway-config';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from './gateway.tokens';
import { OpenAiErrorFilter } from './http/openai-error.filter';
import { BackendRegistry } from './routing/backend-registry';
import { ChatController } from './chat/chat.controller';
import { ChatService, IMAGE_PREPARER, type ImagePreparer } from './chat/chat.service';
import { ModelsController } from './models/models.controller';
import { ModelsService } from './models/models.service';
import { HealthController } from './health/health.controller';
import { ResponsesController } from './responses/responses.controller';
import { ResponsesService } from './responses/responses.service';

/** Releases pooled connections and workers when the app closes. */
class BackendShutdown implements OnApplicationShutdown {
  constructor(private readonly registry: BackendRegistry) {}
  async onApplicationShutdown(): Promise<void> {
    await this.registry.close();
  }
}

const noImageLayer: ImagePreparer = { prepare: async () => undefined };

/**
 * The visible pipeline: configuration and logger in; the error filter around everything; the backend
 * registry (providers → adapters → router); one feature per endpoint.
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: Logger, providers: readonly ProviderDefinition[]): DynamicModule {
    return {
      module: AppModule,
      controllers: [ChatController, ResponsesController, ModelsController, HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: OpenAiErrorFilter },
        { provide: BackendRegistry, useFactory: () => new BackendRegistry(config, providers, logger) },
        { provide: BackendShutdown, useFactory: (registry: BackendRegistry) => new BackendShutdown(registry), inject: [BackendRegistry] },
        { provide: IMAGE_PREPARER, useValue: noImageLayer },
        ChatService,
        ResponsesService,
        ModelsService,
      ],
    };
  }
}
