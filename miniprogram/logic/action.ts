import { userMessage } from '../services/client';
import type { ViewState } from './view-state';

/**
 * Runs one user action at a time: a tap while another runs is ignored (answers false, so a double tap never
 * calls twice); the action's result, or its error in Chinese, becomes the page's `message`.
 */
export async function runAction<V extends { busy: boolean; message: string }>(
  state: ViewState<V>,
  work: () => Promise<string>,
): Promise<boolean> {
  if (state.view.busy) return false;
  state.set({ busy: true, message: '' } as Partial<V>);
  let message: string;
  try {
    message = await work();
  } catch (e) {
    message = userMessage(e);
  }
  state.set({ busy: false, message } as Partial<V>);
  return true;
}
