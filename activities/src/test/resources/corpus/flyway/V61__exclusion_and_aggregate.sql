CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE room_booking (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id int NOT NULL,
    during tstzrange NOT NULL,
    EXCLUDE USING gist (room_id WITH =, during WITH &&)
);

CREATE AGGREGATE booking_max (int) (SFUNC = int4larger, STYPE = int, SORTOP = >);

SELECT id FROM room_booking ORDER BY room_id USING <;
