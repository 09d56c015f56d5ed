-- Rating summaries (issue 13; docs/reviews.md), kept from review.review.published / removed.

-- Every review catalog has heard of: `visible` while published. A removal of a review never seen
-- leaves a tombstone (visible = false), so a late or redelivered publication cannot count it (a
-- removed review never comes back: review's transition table).
CREATE TABLE review_ratings (
  review_id uuid PRIMARY KEY,
  product_id uuid NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  visible boolean NOT NULL
);

-- The summary a product view shows: counts per star, so the average is an exact fraction.
CREATE TABLE product_ratings (
  product_id uuid PRIMARY KEY,
  count integer NOT NULL DEFAULT 0 CHECK (count >= 0),
  rating_sum integer NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
  stars_1 integer NOT NULL DEFAULT 0 CHECK (stars_1 >= 0),
  stars_2 integer NOT NULL DEFAULT 0 CHECK (stars_2 >= 0),
  stars_3 integer NOT NULL DEFAULT 0 CHECK (stars_3 >= 0),
  stars_4 integer NOT NULL DEFAULT 0 CHECK (stars_4 >= 0),
  stars_5 integer NOT NULL DEFAULT 0 CHECK (stars_5 >= 0),
  updated_at timestamptz NOT NULL
);
