/**
 * The profiles capability: a community member's profile (home area, language, and with consent
 * gender and age band). The flows do the talking (flows/registration.yaml, offered once after the
 * first language choice; flows/profile.yaml, keyword PROFILE / PROFIL / ملفي; the demographic
 * questions in flows/profile_demographics.yaml); this capability carries out their two effects:
 * `show_profile` replies with the profile in the person's language, `clear_profile` forgets it.
 * Home area and fields are written by the core's `set_contact_field` (gender and age band are
 * encrypted there with every contact field).
 */
import type { Capability } from '../capability.js';
import { clearProfile, profileReply, readProfile } from './profile.js';

export function profilesCapability(): Capability {
  return {
    name: 'profiles',
    create: (runtime) => ({
      effects: {
        show_profile: async (_effect, ctx) => {
          const profile = await readProfile(ctx.tx, ctx.personalData, ctx.contactId);
          ctx.replies.push(profileReply(runtime.translator, ctx.language, profile));
        },
        clear_profile: async (_effect, ctx) => {
          await clearProfile(ctx.tx, ctx.personalData, ctx.contactId);
        },
      },
    }),
  };
}

export type { Profile } from './profile.js';
export { readProfile } from './profile.js';

/** The capability as the gateway loads it. */
export const profiles = profilesCapability();
