import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError, loadConfig } from '@slp/platform';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(`The worker cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGTERM/SIGINT close the context: providers finish their shutdown hooks, then the process exits.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  await app.init();
}

void main().catch((error: unknown) => {
  console.error('The worker failed to start:', error);
  process.exit(1);
});
