import type { AddressInfo } from 'node:net';
import { createGateway } from './bootstrap';

/**
 * Starts Iris on the configuration from the environment (and IRIS_CONFIG). With nothing set it boots on the
 * embedded default: the built-in offline OCR model answers image requests, no API key needed.
 */
async function main(): Promise<void> {
  const { app, config, logger, flushLogs } = await createGateway({ env: process.env });
  process.once('exit', flushLogs);
  await app.listen(config.port, config.host);
  // The bound port, which differs from the configured one when that is 0.
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.info(
    { host: config.host, port, backends: config.backends.map((backend) => backend.name) },
    'Iris is listening',
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, 'stopping: finishing in-flight requests');
    // In-flight requests and streams get the drain time; then the process exits regardless.
    setTimeout(() => {
      logger.warn('drain timeout reached, exiting');
      process.exit(0);
    }, config.drainTimeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'error while stopping');
        process.exit(0);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
