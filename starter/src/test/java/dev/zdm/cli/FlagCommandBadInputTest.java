package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code zdm flag} refuses bad input with exit 2 and a message naming it, before any server is
 * reached (the address given here has no server: reaching it would exit 3).
 */
class FlagCommandBadInputTest {
  private static final String NOWHERE = "--address=127.0.0.1:1";

  private record Run(int exit, String err) {}

  private static Run zdm(String... args) {
    StringWriter err = new StringWriter();
    CommandLine line = ZdmCommand.newCommandLine();
    line.setOut(new PrintWriter(new StringWriter()));
    line.setErr(new PrintWriter(err));
    int exit = line.execute(args);
    return new Run(exit, err.toString());
  }

  @Test
  void stepsThatDoNotIncreaseOrPassOneHundredAreRefused() {
    Run down = zdm("flag", "start", "search_v2", "--steps", "5,50,25", NOWHERE);
    assertThat(down.exit()).isEqualTo(2);
    assertThat(down.err()).contains("steps must increase").contains("25 %");

    Run over = zdm("flag", "start", "search_v2", "--steps", "50,150", NOWHERE);
    assertThat(over.exit()).isEqualTo(2);
    assertThat(over.err()).contains("150");

    Run words = zdm("flag", "start", "search_v2", "--steps", "5,half", NOWHERE);
    assertThat(words.exit()).isEqualTo(2);
    assertThat(words.err()).contains("'half' is not a percentage");
  }

  @Test
  void anApprovalAtAPercentageThatIsNoStepAndABadFlagNameAreRefused() {
    Run approval = zdm("flag", "start", "search_v2", "--steps", "5,100", "--approve-at", "50", NOWHERE);
    assertThat(approval.exit()).isEqualTo(2);
    assertThat(approval.err()).contains("approve-at 50");

    Run name = zdm("flag", "start", "search v2", "--steps", "5,100", NOWHERE);
    assertThat(name.exit()).isEqualTo(2);
    assertThat(name.err()).contains("flag name 'search v2'");
  }

  @Test
  void aPercentageOutsideZeroToHundredOrNotANumberIsRefused() {
    Run high = zdm("flag", "set", "flag-search_v2", "101", NOWHERE);
    assertThat(high.exit()).isEqualTo(2);
    assertThat(high.err()).contains("101 is outside 0..100");

    Run text = zdm("flag", "set", "flag-search_v2", "ten", NOWHERE);
    assertThat(text.exit()).isEqualTo(2);
    assertThat(text.err()).contains("'ten' is not a percentage");
  }
}
