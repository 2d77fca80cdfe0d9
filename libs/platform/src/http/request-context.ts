import { AsyncLocalStorage } from 'node:async_hooks';

/** What the platform knows about the request being served, for audit entries and log lines. */
export interface RequestContextData {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  enterWith(data: RequestContextData): void {
    storage.enterWith(data);
  },
  current(): RequestContextData | undefined {
    return storage.getStore();
  },
};
