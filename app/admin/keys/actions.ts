"use server";
// Key management from the console; each action goes through adminAction (session,
// validation, audit actor, revalidation, error mapping).
import { z } from "zod";
import { getEnv } from "@akm/core/config/env";
import { adminAction } from "@akm/core/console/action";
import { createKeyForm, keyIdInput, setKeyEnabledInput, updateKeyForm } from "@akm/core/console/key-forms";
import { toClientKey } from "@akm/core/console/key-views";
import { createKey, deleteKey, rotateKey, setKeyEnabled, updateKey } from "@akm/core/keys/service";

// Lazy: MAX_TOKEN_AGE is read when a request arrives, not when the build loads this module.
const createInput = z.lazy(() => createKeyForm(getEnv().MAX_TOKEN_AGE));
const updateInput = z.lazy(() => updateKeyForm(getEnv().MAX_TOKEN_AGE));

export const createKeyAction = adminAction(createInput, async (input, { actor }) => {
  const { key, secret } = await createKey(input, actor);
  return { key: toClientKey(key), secret };
});

export const updateKeyAction = adminAction(updateInput, async ({ id, ...changes }, { actor }) => {
  return { key: toClientKey(await updateKey(id, changes, actor)) };
});

export const setKeyEnabledAction = adminAction(setKeyEnabledInput, async ({ id, enabled }, { actor }) => {
  return { key: toClientKey(await setKeyEnabled(id, enabled, actor)) };
});

export const rotateKeyAction = adminAction(keyIdInput, async ({ id }, { actor }) => {
  const { key, secret } = await rotateKey(id, actor);
  return { key: toClientKey(key), secret };
});

export const deleteKeyAction = adminAction(keyIdInput, async ({ id }, { actor }) => {
  await deleteKey(id, actor);
  return { id };
});
