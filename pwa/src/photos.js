// Photos of finished work: made small on the phone (about 1600 px on the long side, JPEG),
// kept in IndexedDB until they are up, and sent with tus (CONTRACT.md), so that a dropped
// connection resumes from the server's offset instead of starting over. tus-js-client alone
// would weigh more than the whole app.

import { api, ApiError, raw } from "./api.js";
import { inStore } from "./db.js";
import { t } from "./i18n.js";

const LONG_SIDE = 1600;
const QUALITY = 0.8;
const CHUNK = 64 * 1024; // about 10 s at 2G's 50 kbps up: a drop costs at most that much
const TUS = { "Tus-Resumable": "1.0.0" };

/** A photo kept in IndexedDB's "photos" until it is up: its bytes, where its upload stands,
and its id once the server made it a photo.
@typedef {{key: string, blob: Blob, upload: string | null, photo: number | null}} KeptPhoto */

/** @param {Blob} file @returns {Promise<ImageBitmap | HTMLImageElement>} */
async function decode(file) {
  if ("createImageBitmap" in window) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      // some WebViews refuse the options or the format: try an <img> below
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A JPEG of the picture at most LONG_SIDE px on its long side (rejects what is not a picture).
@param {Blob} file @returns {Promise<Blob>} */
export async function downscale(file) {
  const picture = await decode(file);
  const width = "naturalWidth" in picture ? picture.naturalWidth : picture.width;
  const height = "naturalHeight" in picture ? picture.naturalHeight : picture.height;
  const scale = Math.min(1, LONG_SIDE / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const drawing = canvas.getContext("2d");
  if (!drawing) throw new Error("no canvas");
  drawing.drawImage(picture, 0, 0, canvas.width, canvas.height);
  if ("close" in picture) picture.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("not a picture"))), "image/jpeg", QUALITY),
  );
}

/** Keep downscaled photos until they are sent; their keys go with the queued submission.
@param {Blob[]} blobs @returns {Promise<string[]>} */
export async function keep(blobs) {
  const keys = blobs.map(() => crypto.getRandomValues(new Uint32Array(2)).join("-"));
  await inStore("photos", "readwrite", (store) => {
    blobs.forEach((blob, i) => store.put({ key: keys[i], blob, upload: null, photo: null }));
  });
  return keys;
}

/** @param {string[]} keys @returns {Promise<unknown>} */
export function drop(keys) {
  return inStore("photos", "readwrite", (store) => keys.forEach((key) => store.delete(key)));
}

/** @param {string} key @returns {Promise<KeptPhoto | undefined>} */
function saved(key) {
  return inStore("photos", "readonly", (store) => store.get(key));
}

/** @param {KeptPhoto} record */
function save(record) {
  return inStore("photos", "readwrite", (store) => store.put(record));
}

/** Where the server's copy of an upload stands: its offset, or null when it is gone (expired).
@param {string} location @returns {Promise<number | null>} */
async function offsetOf(location) {
  try {
    const answer = await raw("HEAD", location, { headers: TUS });
    return Number(answer.headers.get("Upload-Offset"));
  } catch (error) {
    if (error instanceof ApiError && [404, 410].includes(error.status)) return null;
    throw error;
  }
}

/** A new upload on the server for this photo; its address is kept with it.
@param {KeptPhoto} record @returns {Promise<string>} */
async function begin(record) {
  const metadata = `filename ${btoa("work.jpg")},filetype ${btoa("image/jpeg")}`;
  const answer = await raw("POST", "/uploads", {
    headers: { ...TUS, "Upload-Length": String(record.blob.size), "Upload-Metadata": metadata },
  });
  const location = answer.headers.get("Location");
  if (!location) throw new Error("an upload without an address"); // kept: tried again later
  record.upload = location;
  await save(record);
  return location;
}

/** Send the bytes the server does not have yet, a chunk at a time, from its own offset.
@param {KeptPhoto} record @returns {Promise<string>} the upload's address */
async function sendBytes(record) {
  let upload = record.upload;
  let offset = upload ? await offsetOf(upload) : null;
  if (upload === null || offset === null) {
    upload = await begin(record);
    offset = 0;
  }
  while (offset < record.blob.size) {
    try {
      const answer = await raw("PATCH", upload, {
        body: record.blob.slice(offset, offset + CHUNK),
        headers: { ...TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
      });
      offset = Number(answer.headers.get("Upload-Offset"));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) throw error;
      offset = await offsetOf(upload); // our idea of the offset was old: ask again
      if (offset === null) return sendBytes({ ...record, upload: null });
    }
  }
  return upload;
}

/** The photo id of a kept photo, sending what is missing first (resumes where it stopped).
@param {string} key @param {string} language @returns {Promise<number>} */
export async function photoId(key, language) {
  const record = await saved(key);
  if (!record) {
    throw new ApiError(410, { code: "photo_gone", message: t("The photos of this work are no longer on this phone; please take them again.") });
  }
  if (record.photo) return record.photo;
  const location = await sendBytes(record);
  const photo = /** @type {Wire.Photo} */ (await api("POST", "/photos", {
    body: { upload_id: location.split("/").pop() },
    language,
    headers: { "Idempotency-Key": `photo-${key}` }, // a lost answer is replayed, not redone
  }));
  await save({ ...record, upload: location, photo: photo.id });
  return photo.id;
}
