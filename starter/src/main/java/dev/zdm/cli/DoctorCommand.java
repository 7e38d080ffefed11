package dev.zdm.cli;

import dev.zdm.doctor.Doctor;
import dev.zdm.doctor.DoctorReport;
import dev.zdm.doctor.DoctorRequest;
import dev.zdm.model.HumanDuration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zdm doctor}: what zdm needs from Temporal and PostgreSQL, checked, with what to fix. */
@Command(
    name = "doctor",
    description = "Check Temporal, the workers, PostgreSQL and the role's privileges; exit 0 when all is well, 1 with the problems.")
class DoctorCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin DatabaseOptions database;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "Also check the role may alter this table (ownership, CREATE on its schema).")
  String table;

  @Option(names = "--long-transaction", paramLabel = "DURATION", description = "A transaction open longer than this counts as blocking DDL (default 1m).")
  String longTransaction;

  @Override
  public Integer call() {
    DoctorReport report = Doctor.examine(new DoctorRequest(
        temporal.config(), database.config(), table,
        longTransaction == null ? null : HumanDuration.parse(longTransaction)));
    Output.print(spec.commandLine().getOut(), output.json, report, DoctorView::text);
    return report.healthy() ? 0 : 1;
  }
}
