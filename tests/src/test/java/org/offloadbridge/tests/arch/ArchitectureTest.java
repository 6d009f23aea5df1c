package org.offloadbridge.tests.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.offloadbridge.tests.arch.fixture.ReachesIntoSwitchdevInternals;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The guard on the module graph (docs/architecture.md "Architecture guard"). The arrows point
 * one way — {@code netlink}, {@code flow} (and {@code ebpf} over netlink) → {@code tc-flower}, {@code switchdev},
 * {@code dpdk-path} → {@code upcall-handler} → {@code revalidator} → {@code daemon} →
 * {@code systemd} — and a module's {@code internal} package is its own. Checked twice: on
 * the main classes of every module (ArchUnit: what the code uses) and on every module's
 * pom.xml (what its classpath admits, so a dependency nobody uses yet cannot wait there).
 * tests/ depends on every module, so all their classes are on this test's classpath.
 */
class ArchitectureTest {
    /** Module by its root package segment (org.offloadbridge.&lt;segment&gt;). */
    static final Map<String, String> MODULE_OF_PACKAGE = new LinkedHashMap<>();
    /** What each module's main code may use of ours: the design's arrows, nothing transitive assumed. */
    static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MODULE_OF_PACKAGE.put("netlink", "netlink");
        MODULE_OF_PACKAGE.put("flow", "flow");
        MODULE_OF_PACKAGE.put("ebpf", "ebpf");
        MODULE_OF_PACKAGE.put("tc", "tc-flower");
        MODULE_OF_PACKAGE.put("switchdev", "switchdev");
        MODULE_OF_PACKAGE.put("dpdk", "dpdk-path");
        MODULE_OF_PACKAGE.put("upcall", "upcall-handler");
        MODULE_OF_PACKAGE.put("revalidator", "revalidator");
        MODULE_OF_PACKAGE.put("daemon", "daemon");
        MODULE_OF_PACKAGE.put("systemd", "systemd");
        MODULE_OF_PACKAGE.put("testkit", "testkit");

        final Set<String> belowDaemon = Set.of("netlink", "flow", "ebpf", "tc-flower", "switchdev", "dpdk-path", "upcall-handler",
                "revalidator");
        MAY_USE.put("netlink", Set.of());
        MAY_USE.put("flow", Set.of());
        // Errno only: one spelling of the kernel's error numbers.
        MAY_USE.put("ebpf", Set.of("netlink"));
        // ebpf: the tunnel slow path's cls_bpf programs.
        MAY_USE.put("tc-flower", Set.of("netlink", "flow", "ebpf"));
        MAY_USE.put("switchdev", Set.of("netlink"));
        MAY_USE.put("dpdk-path", Set.of("flow"));
        // Through FlowTarget only: the handler never knows which layer holds a flow.
        MAY_USE.put("upcall-handler", Set.of("flow"));
        MAY_USE.put("revalidator", Set.of("upcall-handler", "flow"));
        MAY_USE.put("daemon", belowDaemon);
        final Set<String> systemd = new TreeSet<>(belowDaemon);
        systemd.add("daemon");
        MAY_USE.put("systemd", Set.copyOf(systemd));
        // Test support: used by tests only (test scope), uses nothing of ours.
        MAY_USE.put("testkit", Set.of());
    }

    private static final Pattern INTERNAL = Pattern.compile("org\\.offloadbridge\\.([^.]+)\\.internal(\\..*)?");

    static JavaClasses mainClasses;

    @BeforeAll
    static void importMainClasses() {
        // Test jars (netlink's, flow's, upcall-handler's...) are on this classpath as
        // MODULE-VERSION-tests.jar (or target/test-classes in the reactor): neither is main code.
        mainClasses = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.offloadbridge");
        // A guard that sees nothing passes everything: make sure every module with code was found.
        final Set<String> seen = new TreeSet<>();
        for (JavaClass c : mainClasses) {
            seen.add(c.getPackageName().split("\\.").length > 2 ? c.getPackageName().split("\\.")[2] : "");
        }
        assertTrue(seen.containsAll(Set.of("netlink", "flow", "ebpf", "tc", "switchdev", "dpdk", "upcall", "testkit")),
                "main classes of some modules are missing from the classpath; found packages " + seen);
    }

    /** org.offloadbridge.X.internal may be used only by classes under org.offloadbridge.X. */
    static final ArchRule INTERNAL_STAYS_INSIDE = classes().should(new ArchCondition<JavaClass>(
            "use another module's ..internal.. package only from inside that module") {
        @Override
        public void check(JavaClass c, ConditionEvents events) {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                final Matcher m = INTERNAL.matcher(d.getTargetClass().getPackageName());
                if (m.matches() && !inside(c.getPackageName(), "org.offloadbridge." + m.group(1))) {
                    events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                }
            }
        }
    });

    static boolean inside(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    static final ArchRule UPCALL_KNOWS_NO_LAYER = noClasses().that().resideInAPackage("org.offloadbridge.upcall..")
            .should().dependOnClassesThat().resideInAnyPackage("org.offloadbridge.tc..", "org.offloadbridge.dpdk..")
            .because("the handler installs through FlowTarget, never a concrete layer (docs/architecture.md)");

    static ArchRule moduleArrows() {
        var arch = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (var e : MODULE_OF_PACKAGE.entrySet()) {
            arch = arch.layer(e.getValue()).definedBy("org.offloadbridge." + e.getKey() + "..");
        }
        var spec = arch.whereLayer("testkit").mayNotBeAccessedByAnyLayer();
        for (var e : MAY_USE.entrySet()) {
            spec = e.getValue().isEmpty() ? spec.whereLayer(e.getKey()).mayNotAccessAnyLayer()
                    : spec.whereLayer(e.getKey()).mayOnlyAccessLayers(e.getValue().toArray(String[]::new));
        }
        return spec;
    }

    @Test
    void noModuleImportsAnotherModulesInternalPackage() {
        INTERNAL_STAYS_INSIDE.check(mainClasses);
    }

    @Test
    void upcallHandlerDependsOnNeitherTcFlowerNorDpdkPath() {
        UPCALL_KNOWS_NO_LAYER.check(mainClasses);
    }

    @Test
    void mainCodeFollowsTheModuleArrows() {
        moduleArrows().check(mainClasses);
    }

    /** The rules can fail: a class outside switchdev that reaches into switchdev.internal is reported, by name. */
    @Test
    void theInternalRuleReportsAnOutsiderReachingIn() {
        final JavaClasses fixture = new ClassFileImporter().importClasses(ReachesIntoSwitchdevInternals.class);
        final EvaluationResult r = INTERNAL_STAYS_INSIDE.evaluate(fixture);
        assertTrue(r.hasViolation());
        final String report = String.join("\n", r.getFailureReport().getDetails());
        assertTrue(report.contains(ReachesIntoSwitchdevInternals.class.getName())
                && report.contains("org.offloadbridge.switchdev.internal.RoleClassifier"), report);
    }

    /**
     * Every module's declared dependencies on our modules (compile and runtime scope) are
     * arrows of the graph; test-scope ones (testkit, flow's contract test-jar) are free.
     */
    @Test
    void pomDependenciesFollowTheModuleArrows() throws Exception {
        final Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
        final Map<String, String> managedScope = managedScopes(root.resolve("pom.xml"));
        final Map<String, List<String>> wrong = new TreeMap<>();
        int checked = 0;
        for (var e : MAY_USE.entrySet()) {
            final Path pom = root.resolve(e.getKey()).resolve("pom.xml");
            assertTrue(Files.isRegularFile(pom), pom + " missing");
            checked++;
            for (String[] dep : ourDependencies(pom)) {
                final String scope = dep[2] != null ? dep[2] : managedScope.getOrDefault(dep[0] + ":" + dep[1], "compile");
                if (!scope.equals("test") && !e.getValue().contains(dep[0])) {
                    wrong.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(dep[0] + " (" + scope + ")");
                }
            }
        }
        assertEquals(MAY_USE.size(), checked);
        assertEquals(Map.of(), wrong, "module -> dependencies its pom.xml declares against the arrows " + MAY_USE);
    }

    /** {artifactId, type, scope or null} of every org.offloadbridge dependency directly under project/dependencies. */
    static List<String[]> ourDependencies(Path pom) throws Exception {
        final Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        final List<String[]> out = new ArrayList<>();
        for (Element deps : children(project, "dependencies")) {
            for (Element d : children(deps, "dependency")) {
                if ("org.offloadbridge".equals(text(d, "groupId"))) {
                    out.add(new String[] {text(d, "artifactId"), text(d, "type") == null ? "jar" : text(d, "type"), text(d, "scope")});
                }
            }
        }
        return out;
    }

    /** artifactId:type → scope from the root pom's dependencyManagement. */
    static Map<String, String> managedScopes(Path rootPom) throws Exception {
        final Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(rootPom.toFile()).getDocumentElement();
        final Map<String, String> out = new HashMap<>();
        for (Element dm : children(project, "dependencyManagement")) {
            for (Element deps : children(dm, "dependencies")) {
                for (Element d : children(deps, "dependency")) {
                    if ("org.offloadbridge".equals(text(d, "groupId")) && text(d, "scope") != null) {
                        out.put(text(d, "artifactId") + ":" + (text(d, "type") == null ? "jar" : text(d, "type")), text(d, "scope"));
                    }
                }
            }
        }
        return out;
    }

    private static List<Element> children(Element parent, String name) {
        final List<Element> out = new ArrayList<>();
        final NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && nodes.item(i).getNodeName().equals(name)) {
                out.add((Element) nodes.item(i));
            }
        }
        return out;
    }

    private static String text(Element e, String child) {
        final List<Element> c = children(e, child);
        return c.isEmpty() ? null : c.getFirst().getTextContent().strip();
    }
}
