-- Review moderation (issue 13; docs/reviews.md): a role that works the moderation queue.
INSERT INTO roles (name, description) VALUES
  ('moderator', 'Reads the review moderation queue and approves or rejects reviews');

INSERT INTO role_permissions (role, permission) VALUES
  ('moderator', 'reviews:read'),
  ('moderator', 'reviews:write'),
  ('support', 'reviews:read');
