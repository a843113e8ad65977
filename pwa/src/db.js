// The one owner of the app's IndexedDB: its schema and its versioned upgrades.

const NAME = "cunjiang";
const VERSION = 1;
let opened = null;

/** @returns {Promise<IDBDatabase>} */
export function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        // Actions waiting for the server, in the order they were made (key: the Idempotency-Key).
        db.createObjectStore("outbox", { keyPath: "key" }).createIndex("made", "made");
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

/** Run ``work`` on one store in one transaction; resolves with its request's result. */
export async function inStore(store, mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, mode);
    const request = work(transaction.objectStore(store));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}
