import { useAuth } from '../api/auth';
import { check, errorsOf, Field, FormError, useApiForm } from '../components/Form';

export function LoginScreen() {
  const { session } = useAuth();
  const form = useApiForm({
    initial: { email: '', password: '' },
    validate: (v) =>
      errorsOf({
        email:
          check.required(v.email, 'Email') ??
          (/^\S+@\S+$/.test(v.email) ? undefined : 'Enter an email address'),
        password: check.required(v.password, 'Password'),
      }),
    submit: (v) => session.login(v.email.trim(), v.password),
  });
  return (
    <div className="login">
      <h1>Orderline admin</h1>
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Email" name="email" error={form.errors.email}>
          <input
            name="email"
            type="email"
            autoComplete="username"
            value={form.values.email}
            onChange={(e) => form.set('email', e.target.value)}
          />
        </Field>
        <Field label="Password" name="password" error={form.errors.password}>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={form.values.password}
            onChange={(e) => form.set('password', e.target.value)}
          />
        </Field>
        <FormError message={form.formError} />
        <button type="submit" disabled={form.pending}>
          Sign in
        </button>
      </form>
    </div>
  );
}
