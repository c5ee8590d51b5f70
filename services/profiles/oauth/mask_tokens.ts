import { MASKED_SECRET, OAuthProvider, type Profile } from "@spiritstream/contracts";

/**
 * A copy whose sign-in tokens are masked: no command hands them out, not even a reveal of the
 * profile's keys (chat gets them in process through `AccessTokens`). A save of the copy keeps
 * the stored tokens, as for any masked secret.
 */
export function withOAuthTokensMasked(profile: Profile): Profile {
  const copy = structuredClone(profile);
  for (const provider of OAuthProvider.options) {
    const account = copy.settings.oauth[provider];
    if (account.accessToken) account.accessToken = MASKED_SECRET;
    if (account.refreshToken) account.refreshToken = MASKED_SECRET;
  }
  return copy;
}
