import type { DashboardConfig } from '../../lambdas/docs/dashboard-config';
import { type ApiClient, SignInError } from './api';
import { h } from './dom';

/**
 * Sign-in: client credentials through the token endpoint, or an access token pasted in. Either way the token
 * stays in the `ApiClient`: nothing is stored, so a reload asks again.
 */
export class SignIn {
  readonly section: HTMLElement;
  private readonly message: HTMLElement;
  private readonly clientId: HTMLInputElement;

  constructor(api: ApiClient, prefill: DashboardConfig['prefill'], onSignedIn: () => void) {
    this.message = h('p', { class: 'sign-in-message', role: 'alert' });
    this.clientId = h('input', {
      id: 'client-id',
      name: 'clientId',
      autocomplete: 'username',
      spellcheck: 'false',
      required: true,
      value: prefill?.clientId,
    });
    const clientSecret = h('input', {
      id: 'client-secret',
      name: 'clientSecret',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      value: prefill?.clientSecret,
    });
    const signInButton = h('button', { type: 'submit' }, 'Sign in');
    const credentials = h(
      'form',
      { class: 'stack', 'aria-label': 'Sign in with client credentials' },
      h('label', { for: 'client-id' }, 'Client ID'),
      this.clientId,
      h('label', { for: 'client-secret' }, 'Client secret'),
      clientSecret,
      signInButton,
    );
    const token = h('textarea', {
      id: 'access-token',
      name: 'accessToken',
      rows: 3,
      spellcheck: 'false',
      required: true,
    });
    const tokenForm = h(
      'form',
      { class: 'stack', 'aria-label': 'Sign in with an access token' },
      h('label', { for: 'access-token' }, 'Access token'),
      token,
      h('button', { type: 'submit' }, 'Use this token'),
    );

    const attempt = async (form: HTMLFormElement, signIn: () => Promise<void> | void) => {
      const submit = form.querySelector('button');
      submit?.setAttribute('disabled', '');
      this.say('Signing in…');
      try {
        await signIn();
        this.say('');
        clientSecret.value = prefill?.clientSecret ?? '';
        token.value = '';
        onSignedIn();
      } catch (error) {
        this.say(error instanceof SignInError ? error.message : 'Sign-in failed.');
      } finally {
        submit?.removeAttribute('disabled');
      }
    };
    credentials.addEventListener('submit', (event) => {
      event.preventDefault();
      void attempt(credentials, () => api.signIn(this.clientId.value.trim(), clientSecret.value));
    });
    tokenForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void attempt(tokenForm, () => api.useToken(token.value));
    });

    this.section = h(
      'section',
      { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
      h('h2', { id: 'sign-in-title' }, 'Sign in'),
      h(
        'p',
        {},
        'Use the client credentials of your app client (it needs the read scope). The token is kept in this page only: reloading asks again.',
      ),
      this.message,
      credentials,
      h('details', {}, h('summary', {}, 'Or paste an access token'), tokenForm),
    );
  }

  /** Shows the form, with a reason (e.g. the session expired), and puts the focus in it. */
  open(reason?: string): void {
    this.section.hidden = false;
    this.say(reason ?? '');
    this.clientId.focus();
  }

  close(): void {
    this.section.hidden = true;
  }

  private say(text: string): void {
    this.message.replaceChildren(text);
    this.message.hidden = text === '';
  }
}
