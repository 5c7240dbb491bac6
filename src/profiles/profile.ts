/**
 * A community member's profile: home area (a locality of the gazetteer, `Contact.areaId`, the
 * area that broadcast audiences and topic subscriptions use), language, and, only with consent,
 * gender and age band (contact fields, stored encrypted with the others). Nothing here is shown
 * to anyone but the person.
 */
import type { Db } from '../db/client.js';
import { contactFields, sealContactFields } from '../conversation/contacts.js';
import { PROFILE_FIELDS } from '../flow/effects.js';
import type { Reply } from '../flow/engine.js';
import type { PersonalData } from '../personal-data.js';
import type { Translator } from '../i18n.js';

export interface Profile {
  areaId: string | null;
  areaName: string | null;
  language: string | null;
  /** Option ids of the survey's questions (female, male, other, prefer_not_to_say). */
  gender: string | null;
  /** Option ids of the survey's age question (under_18, 18_29, ...). */
  ageBand: string | null;
}

/** Reads a contact's profile (decrypting gender and age band). */
export async function readProfile(tx: Db, personalData: PersonalData, contactId: string): Promise<Profile> {
  const contact = await tx.contact.findUniqueOrThrow({ where: { id: contactId }, include: { area: true } });
  const fields = contactFields(contact.fields, personalData);
  return {
    areaId: contact.areaId,
    areaName: contact.area?.name ?? null,
    language: contact.language,
    gender: fields.gender ?? null,
    ageBand: fields.age_band ?? null,
  };
}

/** Forgets the home area, gender and age band; the language stays (it is how we talk). */
export async function clearProfile(tx: Db, personalData: PersonalData, contactId: string): Promise<void> {
  const contact = await tx.contact.findUniqueOrThrow({ where: { id: contactId }, select: { fields: true } });
  const fields = contactFields(contact.fields, personalData);
  for (const field of PROFILE_FIELDS) delete fields[field];
  await tx.contact.update({ where: { id: contactId }, data: { areaId: null, fields: sealContactFields(fields, personalData) } });
}

/**
 * The profile as the person reads it, in their language (`profile:show`). A value not given reads
 * `profile:not_given`, or `profile:not_given_<area|language>` where the language has one (French
 * agrees it with the feminine "zone" and "langue": "non indiquée").
 */
export function profileReply(translator: Translator, language: string, profile: Profile): Reply {
  const none = translator.t(language, 'profile:not_given');
  const noneFor = (field: 'area' | 'language') => (translator.has(language, `profile:not_given_${field}`) ? translator.t(language, `profile:not_given_${field}`) : none);
  const label = (key: string, id: string | null) => (id === null ? none : translator.has(language, `${key}.${id}`) || translator.has(translator.defaultLanguage, `${key}.${id}`) ? translator.t(language, `${key}.${id}`) : id);
  return {
    type: 'text',
    key: 'profile:show',
    params: {
      area: profile.areaName ?? noneFor('area'),
      language: profile.language ? translator.t(language, `welcome:language.${profile.language}`) : noneFor('language'),
      gender: profile.gender === 'prefer_not_to_say' ? translator.t(language, 'survey:prefer_not_to_say') : label('survey:gender', profile.gender),
      age: profile.ageBand === 'prefer_not_to_say' ? translator.t(language, 'survey:prefer_not_to_say') : label('survey:age', profile.ageBand),
    },
  };
}
