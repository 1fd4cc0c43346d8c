import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger, ProviderDefinition } from '@app/core';
import { ImageLayer } from '@app/core/images';
import type { GatewayConfig } from './config/gateway-config';
import { BODY_MEMORY_BUDGET, GATEWAY_CONFIG, GATEWAY_LOGGER } from './gateway.tokens';
import type { BodyMemoryBudget } from './http/body-memory-budget';
import { OpenAiErrorFilter } from './http/openai-error.filter';
import { BackendRegistry } from './routing/backend-registry';
import { ocrModeProviders } from './ocr/ocr.providers';
import { ChatController } from './chat/chat.controller';
import { ChatService, IMAGE_PREPARER, type ImagePreparer } from './chat/chat.service';
import { ModelsController } from './models/models.controller';
import { ModelsService } from './models/models.service';
import { HealthController } from './health/health.controller';
import { ResponsesController } from './responses/responses.controller';
import { ResponsesService } from './responses/responses.service';

/** Releases pooled connections, caches and workers when the app closes. */
class Shutdown implements OnApplicationShutdown {
  constructor(
    private readonly registry: BackendRegistry,
    private readonly images: ImagePreparer & { close?(): Promise<void> },
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.registry.close(), this.images.close?.()]);
  }
}

/**
 * The visible pipeline: configuration and logger in; the error filter around everything; the backend
 * registry (providers → adapters → router); one feature per endpoint.
 */
@Module({})
export class AppModule {
  static forRoot(
    config: GatewayConfig,
    logger: Logger,
    providers: readonly ProviderDefinition[],
    /** The in-flight body budget, when one is configured (its state is shown by /ready). */
    bodyBudget?: BodyMemoryBudget,
  ): DynamicModule {
    return {
      module: AppModule,
      controllers: [ChatController, ResponsesController, ModelsController, HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: BODY_MEMORY_BUDGET, useValue: bodyBudget ?? null },
        { provide: APP_FILTER, useClass: OpenAiErrorFilter },
        { provide: BackendRegistry, useFactory: () => new BackendRegistry(config, providers, logger) },
        { provide: IMAGE_PREPARER, useFactory: () => new ImageLayer(config.images, logger) },
        {
          provide: Shutdown,
          useFactory: (registry: BackendRegistry, images: ImageLayer) => new Shutdown(registry, images),
          inject: [BackendRegistry, IMAGE_PREPARER],
        },
        ...ocrModeProviders(config),
        ChatService,
        ResponsesService,
        ModelsService,
      ],
    };
  }
}
