/** A page's view state: patches are merged and handed to the page's `setData` (or a test's recorder). */
export interface ViewState<V extends object> {
  readonly view: Readonly<V>;
  set(patch: Partial<V>): void;
}

export function viewState<V extends object>(initial: V, render: (patch: Partial<V>) => void): ViewState<V> {
  let view = initial;
  return {
    get view() {
      return view;
    },
    set(patch) {
      view = { ...view, ...patch };
      render(patch);
    },
  };
}
