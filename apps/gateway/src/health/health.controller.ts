import { Controller, Get, Inject } from '@nestjs/common';
import { BODY_MEMORY_BUDGET, GATEWAY_CONFIG } from '../gateway.tokens';
import type { GatewayConfig } from '../config/gateway-config';
import type { BodyMemoryBudget } from '../http/body-memory-budget';

export interface ReadyStatus {
  status: 'ready';
  backends: string[];
  /** The in-flight body budget right now (absent when it is turned off): how full it is, who waits. */
  bodyBudget?: { budgetBytes: number; bytesInFlight: number; waiting: number };
}

@Controller()
export class HealthController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(BODY_MEMORY_BUDGET) private readonly bodyBudget: BodyMemoryBudget | null,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: configuration loaded and backends known. A full budget does not make the replica unready
   * (requests still queue, and a probe flapping with the load would only move it around); it is reported
   * so an operator can see it and size `inFlightBodyBytes`.
   */
  @Get('ready')
  ready(): ReadyStatus {
    const budget = this.bodyBudget;
    return {
      status: 'ready',
      backends: this.config.backends.map((backend) => backend.name),
      ...(budget && {
        bodyBudget: {
          budgetBytes: budget.budgetBytes,
          bytesInFlight: budget.bytesInFlight,
          waiting: budget.waiting,
        },
      }),
    };
  }
}
