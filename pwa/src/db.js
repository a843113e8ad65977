// The one owner of the app's IndexedDB: its schema and its versioned upgrades.

const NAME = "cunjiang";
const VERSION = 2;
const STORES = /** @type {const} */ (["outbox", "jobs", "meta", "photos"]);
/** @type {Promise<IDBDatabase> | null} */
let opened = null;

/** What "meta" keeps, by name: the feed's cursor; whose phone this is (her phone number; a member
id, before she could work with several brands); her role, brands and open invitations.
@typedef {{cursor: string, who: string | number, role: Wire.Role, memberships: Wire.Membership[], invitations: Wire.MyInvitation[], kits: Wire.Kit[]}} Meta */

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
      if (event.oldVersion < 2) {
        db.createObjectStore("jobs", { keyPath: "id" }); // my jobs as the server last told them
        db.createObjectStore("meta", { keyPath: "name" }); // the feed's cursor, whose jobs these are
        db.createObjectStore("photos", { keyPath: "key" }); // downscaled photos waiting to go up
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

/** Run ``work`` on one store in one transaction; resolves with its request's result.
@template T
@param {typeof STORES[number]} store @param {IDBTransactionMode} mode
@param {(store: IDBObjectStore) => IDBRequest<T> | void} work
@returns {Promise<T | undefined>} */
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

/** A value kept under a name in "meta" (undefined when there is none).
@template {keyof Meta} K @param {K} name @returns {Promise<Meta[K] | undefined>} */
export async function remembered(name) {
  return (await inStore("meta", "readonly", (store) => store.get(name)))?.value;
}

/** @template {keyof Meta} K @param {K} name @param {Meta[K]} value @returns {Promise<unknown>} */
export function remember(name, value) {
  return inStore("meta", "readwrite", (store) => store.put({ name, value }));
}

/** Forget everything a person left on this phone (another may sign in next). @returns {Promise<void>} */
export async function forgetAll() {
  for (const store of STORES) await inStore(store, "readwrite", (s) => s.clear());
}
