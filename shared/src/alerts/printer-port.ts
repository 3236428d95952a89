/**
 * What Shouyin needs from a cloud receipt printer, whoever makes it (Feie first; Yilianyun and Xpyun would
 * be other adapters): print a job and say its id, and say whether a job printed. Adapters answer in
 * policy.ts's channel-neutral outcomes and never retry on their own (transport.ts holds the one safe retry).
 */
import type { SendOutcome } from './policy';

export interface PrinterPort {
  /** The printer's id (Feie: its SN): the recipient of printer deliveries. */
  readonly id: string;
  print(content: string): Promise<Extract<SendOutcome, { kind: 'accepted' | 'refused' | 'timeout' }>>;
  queryJob(
    jobId: string,
  ): Promise<Extract<SendOutcome, { kind: 'printed' | 'not-printed' | 'refused' | 'timeout' }>>;
}
