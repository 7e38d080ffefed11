package dev.zdm.doctor;

import java.util.ArrayList;
import java.util.List;

/** {@code zdm doctor}: checks what zdm needs from Temporal and PostgreSQL and says what to fix. */
public final class Doctor {
  private Doctor() {}

  public static DoctorReport examine(DoctorRequest request) {
    List<DoctorCheck> checks = new ArrayList<>(new TemporalChecks(request.temporal()).run());
    checks.addAll(new PostgresChecks(request.database(), request.table(), request.longTransaction()).run());
    return new DoctorReport(checks);
  }
}
