package dev.zdm.engine.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Column references are found on tokens: literals, functions, types and collations stay as they are. */
class ColumnReferencesTest {

  @Test
  void aColumnInsideAnExpressionIsRenamedButNotTheFunctionOfTheSameName() {
    assertThat(ColumnReferences.rename("USING btree (lower(email))", "email", "email_address"))
        .isEqualTo("USING btree (lower(\"email_address\"))");
    assertThat(ColumnReferences.rename("USING btree (lower(lower))", "lower", "lower_new"))
        .isEqualTo("USING btree (lower(\"lower_new\"))");
  }

  @Test
  void literalsTypesCollationsAndQualifiedNamesAreNotReferences() {
    assertThat(ColumnReferences.rename(
            "CHECK (((text)::text <> 'text'::text) AND (text COLLATE \"text\" > E'te\\'xt'))", "text", "t2"))
        .isEqualTo("CHECK (((\"t2\")::text <> 'text'::text) AND (\"t2\" COLLATE \"text\" > E'te\\'xt'))");
    assertThat(ColumnReferences.rename("CHECK ((public.code(code) > 0))", "code", "c"))
        .isEqualTo("CHECK ((public.code(\"c\") > 0))");
  }

  @Test
  void quotedNamesAreComparedExactly() {
    assertThat(ColumnReferences.rename("UNIQUE (\"Email\", email)", "Email", "E2"))
        .isEqualTo("UNIQUE (\"E2\", email)");
    assertThat(ColumnReferences.mentions("CHECK ((\"we\"\"ird\" > 1))", "we\"ird")).isTrue();
    assertThat(ColumnReferences.mentions("CHECK ((note <> 'email'::text))", "email")).isFalse();
  }

  @Test
  void keywordsAreFoundOutsideQuotedNames() {
    String index = "CREATE INDEX \"USING x\" ON public.t USING gist (c)";
    assertThat(index.substring(ColumnReferences.keywordOffset(index, "USING"))).isEqualTo("USING gist (c)");
    String key = "FOREIGN KEY (a) REFERENCES public.other(a)";
    assertThat(ColumnReferences.rename(key.substring(0, ColumnReferences.keywordOffset(key, "REFERENCES")), "a", "b")
        + key.substring(ColumnReferences.keywordOffset(key, "REFERENCES")))
        .isEqualTo("FOREIGN KEY (\"b\") REFERENCES public.other(a)");
  }
}
