/**
 * Opens or closes a <details> when `open` changes, and only then. A plain `open={…}` attribute is
 * set again whenever anything else in the same block re-renders (Svelte groups a block's updates),
 * which shut the disclosure a person had just opened each time a sync touched the screen's data.
 */
export function openWhen(node: HTMLDetailsElement, open: boolean) {
  node.open = open;
  return {
    update(next: boolean) {
      node.open = next;
    },
  };
}
