import { Controller, Get, Inject } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import type { GatewayConfig } from '../config/gateway-config';

@Controller()
export class HealthController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /** Liveness: the process answers. */
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: configuration loaded and backends known. */
  @Get('ready')
  ready(): { status: 'ready'; backends: string[] } {
    return { status: 'ready', backends: this.config.backends.map((backend) => backend.name) };
  }
}
