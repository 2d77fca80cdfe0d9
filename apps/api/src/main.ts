import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError, loadConfig } from '@slp/platform';
import { createApiApp } from './api.app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(`The API cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApiApp(config);
  // SIGTERM/SIGINT: stop accepting connections, finish in-flight requests, close the database and Redis, exit 0.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
  app.get(Logger).log(`API listening on port ${config.http.port} (docs at /api/docs); the portal, which emails link to, is ${config.publicUrl}`);
}

void main().catch((error: unknown) => {
  console.error('The API failed to start:', error);
  process.exit(1);
});
