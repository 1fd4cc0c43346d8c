/** Injection tokens for the values the app is built from. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const GATEWAY_LOGGER = Symbol('GatewayLogger');
export const BODY_MEMORY_BUDGET = Symbol('BodyMemoryBudget');
