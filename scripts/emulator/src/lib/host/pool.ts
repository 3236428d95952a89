// The instances of one function. An invocation takes a warm idle instance when there is one, else starts a new
// one (a cold start) while the function has fewer than `max`, else waits in line — so concurrent invocations run
// in separate instances, as in the cloud (CloudBase notes §8 item 2), and module-level state is never shared
// between two invocations running at once.

import type { Instance } from './instance';

export interface Lease {
  instance: Instance;
  cold: boolean;
}

export class InstancePool {
  private readonly idle: Instance[] = [];
  private readonly all = new Set<Instance>();
  private readonly waiting: Array<(lease: Promise<Lease>) => void> = [];
  private starting = 0;
  private stopped = false;

  constructor(
    private readonly max: number,
    private readonly create: () => Instance,
  ) {}

  get size(): number {
    return this.all.size;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  acquire(): Promise<Lease> {
    if (this.stopped) return Promise.reject(new Error('emulator is stopping'));
    while (this.idle.length > 0) {
      const instance = this.idle.pop()!;
      if (instance.alive) return Promise.resolve({ instance, cold: false });
      this.all.delete(instance);
    }
    if (this.all.size + this.starting < this.max) return this.startNew();
    return new Promise<Promise<Lease>>((resolve) => this.waiting.push(resolve)).then((p) => p);
  }

  /** Returns an instance after an invocation; dead instances are dropped and their place given to a waiter. */
  release(instance: Instance): void {
    if (!instance.alive || this.stopped) {
      this.all.delete(instance);
      if (!this.stopped) this.serveWaiter();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(Promise.resolve({ instance, cold: false }));
    else this.idle.push(instance);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) w(Promise.reject(new Error('emulator is stopping')));
    await Promise.all([...this.all].map((i) => i.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private serveWaiter(): void {
    if (this.waiting.length === 0 || this.all.size + this.starting >= this.max) return;
    this.waiting.shift()!(this.startNew());
  }

  private startNew(): Promise<Lease> {
    this.starting++;
    const instance = this.create();
    return instance.start().then(
      () => {
        this.starting--;
        if (this.stopped) {
          void instance.terminate();
          throw new Error('emulator is stopping');
        }
        this.all.add(instance);
        return { instance, cold: true };
      },
      (e: unknown) => {
        this.starting--;
        this.serveWaiter();
        throw e;
      },
    );
  }
}
