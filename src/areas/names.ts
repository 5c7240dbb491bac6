/**
 * An area's name in a language, from the gazetteer: its `name` is the common name (Latin
 * script, used for English and French); for a language written in another script, the first
 * alias written in that script is its name there (Kanzi -> كانزي for Arabic). Without such an
 * alias the common name is used. Aliases carry no language tag, so the script is the rule.
 */

/** Scripts of the languages whose names are taken from the aliases: language -> letters of its script. */
const SCRIPTS: Record<string, RegExp> = {
  ar: /\p{Script=Arabic}/u,
};

/**
 * @param area the gazetteer name and its aliases (comma-separated, as stored; none when unread)
 * @param language a language code (en, fr, ar ...)
 */
export function areaNameIn(area: { name: string; aliases?: string }, language: string | undefined): string {
  const script = language ? SCRIPTS[language] : undefined;
  if (!script || !area.aliases) return area.name;
  const alias = area.aliases.split(',').map((a) => a.trim()).find((a) => a && script.test(a));
  return alias ?? area.name;
}
