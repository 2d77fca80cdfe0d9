import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError, loadConfig } from '@slp/platform';
import { createWebApp } from './web.app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(`The portal cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createWebApp(config);
  // SIGTERM/SIGINT: stop accepting connections, finish in-flight requests, close the database and Redis, exit 0.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  await app.listen({ port: config.web.port, host: '0.0.0.0' });
  app.get(Logger).log(`Portal listening on ${config.publicUrl}`);
}

void main().catch((error: unknown) => {
  console.error('The portal failed to start:', error);
  process.exit(1);
});
