import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Calls onChange when the config file changes. Watches the directory, not the file: editors save by writing
 * a new file and renaming it over the old one, which a watch on the old inode would miss.
 */
export function watchConfigFile(file: string, onChange: () => void): () => void {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (changed !== name) return;
    clearTimeout(timer);
    // Editors write in several steps; react once they are done.
    timer = setTimeout(onChange, 150);
  });
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
