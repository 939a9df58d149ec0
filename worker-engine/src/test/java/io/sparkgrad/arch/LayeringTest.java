package io.sparkgrad.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's layers, bottom to top, each depending only on the ones below it:
 * shapes, formatting, the core of values, kernels, autodiff ({@code ops}), {@code nn},
 * {@code check}. Any arrow pointing the other way, or any package cycle, fails here, naming the
 * classes involved. The same test enforces the engine's "no hidden global mechanisms" rule:
 * no mutable static fields, no thread-locals, no stack walking.
 */
class LayeringTest {
    private static final String SHAPE = "io.sparkgrad.shape..";
    private static final String FORMAT = "io.sparkgrad.format..";
    private static final String CORE = "io.sparkgrad";
    private static final String KERNEL = "io.sparkgrad.kernel..";
    private static final String OPS = "io.sparkgrad.ops..";
    private static final String NN = "io.sparkgrad.nn..";
    private static final String CHECK = "io.sparkgrad.check..";

    private static JavaClasses engine;

    @BeforeAll
    static void importEngine() {
        engine = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.sparkgrad");
    }

    @Test
    void everyArrowPointsDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("shape").definedBy(SHAPE)
                .layer("format").definedBy(FORMAT)
                .layer("core").definedBy(CORE)
                .layer("kernel").definedBy(KERNEL)
                .layer("autodiff").definedBy(OPS)
                .layer("nn").definedBy(NN)
                .layer("check").definedBy(CHECK)
                .whereLayer("check").mayNotBeAccessedByAnyLayer()
                .whereLayer("nn").mayOnlyBeAccessedByLayers("check")
                .whereLayer("autodiff").mayOnlyBeAccessedByLayers("nn", "check")
                .whereLayer("kernel").mayOnlyBeAccessedByLayers("autodiff", "nn", "check")
                .whereLayer("core").mayOnlyBeAccessedByLayers("kernel", "autodiff", "nn", "check")
                .whereLayer("format").mayOnlyBeAccessedByLayers("core", "kernel", "autodiff", "nn", "check")
                .whereLayer("shape").mayOnlyBeAccessedByLayers("format", "core", "kernel", "autodiff", "nn", "check")
                .check(engine);
    }

    @Test
    void everyEngineClassBelongsToALayer() {
        classes().should().resideInAnyPackage(SHAPE, FORMAT, CORE, KERNEL, OPS, NN, CHECK)
                .because("a new engine package must take its place in the layers")
                .check(engine);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.sparkgrad.(**)").should().beFreeOfCycles().check(engine);
    }

    @Test
    void noMutableStaticState() {
        fields().that().areStatic().should().beFinal()
                .because("the engine keeps no mutable global state: Spark runs tasks as threads of one JVM")
                .check(engine);
    }

    @Test
    void noThreadLocalsOrStackWalking() {
        noClasses().should().dependOnClassesThat()
                .haveFullyQualifiedName(ThreadLocal.class.getName())
                .orShould().dependOnClassesThat().haveFullyQualifiedName(InheritableThreadLocal.class.getName())
                .orShould().dependOnClassesThat().haveFullyQualifiedName(StackWalker.class.getName())
                .orShould().callMethod(Thread.class, "getStackTrace")
                .orShould().callMethod(Throwable.class, "getStackTrace")
                .because("nesting and randomness are passed explicitly, never found from the thread or the stack")
                .check(engine);
    }
}
