package org.offloadbridge.upcall.handler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import java.net.URISyntaxException;
import java.nio.file.Path;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Handlers, ukeys and the install decision work only against {@code flow.FlowTarget}: no class of
 * theirs touches tc-flower or dpdk-path, so the daemon can plug in any layer and tests use fakes.
 * From the pipeline they use only {@code Pipeline}, {@code Translation} and {@code Rule}.
 */
class LayeringTest {
    /** This module's main classes only (scanning the whole class path takes half a minute). */
    static final JavaClasses HANDLER = importMainClasses();

    private static JavaClasses importMainClasses() {
        try {
            return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPath(Path.of(UpcallHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noConcreteLayer() {
        org.junit.jupiter.api.Assertions.assertTrue(HANDLER.contain(UpcallHandler.class) && HANDLER.contain(InstallDecision.class),
            "the rules below look at the real classes");
        noClasses().that().resideInAnyPackage("org.offloadbridge.upcall", "org.offloadbridge.upcall.handler..")
            .should().dependOnClassesThat().resideInAnyPackage("org.offloadbridge.tc..", "org.offloadbridge.dpdk..")
            .check(HANDLER);
    }

    @Test
    void onlyTheStablePartsOfThePipeline() {
        noClasses().that().resideInAnyPackage("org.offloadbridge.upcall", "org.offloadbridge.upcall.handler..")
            .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                "pipeline classes other than Pipeline, Translation, Rule",
                c -> unstablePipelineClass(c.getBaseComponentType()))) // an array of Translation is still Translation
            .check(HANDLER);
    }

    private static boolean unstablePipelineClass(com.tngtech.archunit.core.domain.JavaClass c) {
        return c.getPackageName().startsWith("org.offloadbridge.upcall.pipeline")
            && !c.getName().equals("org.offloadbridge.upcall.pipeline.Pipeline")
            && !c.getName().equals("org.offloadbridge.upcall.pipeline.Translation")
            && !c.getName().equals("org.offloadbridge.upcall.pipeline.Rule")
            && !c.getName().equals("org.offloadbridge.upcall.pipeline.OffloadPreference");
    }
}
