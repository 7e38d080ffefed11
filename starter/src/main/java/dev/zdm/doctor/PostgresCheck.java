package dev.zdm.doctor;

import java.sql.Connection;
import java.sql.SQLException;

/** One check made on a connection to the target database as zdm's role. */
interface PostgresCheck {
  String name();

  DoctorCheck run(Connection connection) throws SQLException;
}
