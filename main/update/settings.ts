// The `update` setting: where the till looks for updates, on which channel, when it may install
// them and whether IT forced the one waiting (docs/rollout.md). `config set update.url URL` etc.
import { z } from 'zod';
import { serviceUrlSchema } from '../config/service-url.ts';
import { QuietHoursSchema } from './quiet-hours.ts';

/**
 * The update server (electron-updater's `generic` provider: the folder that holds `latest.yml`,
 * `beta.yml`, ... and the installers). null: the URL built into the installer (electron-builder.yml
 * `publish`). https, or http only to this computer; no credentials, query or fragment.
 */
export const UpdateUrlSchema = serviceUrlSchema('https://updates.example.com/pos-companion');

/** A channel names the file the server is asked for: `latest` -> latest.yml, `beta` -> beta.yml. */
export const UpdateChannelSchema = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a channel is a lower-case name, e.g. latest or beta');

export const UpdateSettingSchema = z
  .object({
    /** false: this till never looks for updates (IT deploys them with its own tools). */
    enabled: z.boolean(),
    url: UpdateUrlSchema.nullable(),
    channel: UpdateChannelSchema,
    quietHours: QuietHoursSchema,
    /** IT's "install the waiting update now" (still not during a sale); cleared when it installs. */
    force: z.boolean(),
  })
  .strict();
export type UpdateSetting = z.infer<typeof UpdateSettingSchema>;

export const DEFAULT_UPDATE_SETTING: UpdateSetting = { enabled: true, url: null, channel: 'latest', quietHours: null, force: false };
