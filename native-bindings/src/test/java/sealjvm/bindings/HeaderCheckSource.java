package sealjvm.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates, from the binding classes themselves, a C++ source that {@code static_assert}s the bindings
 * against a real CUDA header: each constant's value (and the enum it belongs to, from its jextract-style
 * {@code enum X.NAME = value} javadoc) and each function's prototype: its exact C type as the javadoc
 * prototype spells it (which also picks the C function where cuBLAS adds C++ overloads), and the parameter
 * count and, for the return type and every parameter, pointer / integer-or-enum / floating point and size as
 * its {@link FunctionDescriptor} says. Compiling it with {@code g++ -std=c++17 -fsyntax-only -I<toolkit>/include}
 * is the check.
 *
 * <p>Symbols come from includes.txt, in its order (BindingsShapeTest keeps that list equal to the classes);
 * values and descriptors by reflection; enum names and C prototypes (used in messages only) from the
 * classes' javadoc. The output depends on nothing else, so it is deterministic and can be committed.
 */
final class HeaderCheckSource {
    private HeaderCheckSource() {
    }

    /** One includes.txt section: binding class, header file, library key, and the symbols in list order. */
    record Section(String className, String header, String library, List<String> functions, List<String> constants) {
        @Override
        public String toString() {
            return className + " (" + header + ")";
        }

        Class<?> bindingClass() throws ClassNotFoundException {
            return Class.forName("sealjvm.bindings." + className);
        }
    }

    /**
     * Lines emitted before the header's {@code #include}. cuda.h {@code #define}s many public names to newer
     * entry points (cuMemAlloc → cuMemAlloc_v2; since CUDA 12.8 also cuEventElapsedTime → cuEventElapsedTime_v2).
     * The bindings call exact exported symbols, so the check needs each symbol's own declaration: under
     * {@code __CUDA_API_VERSION_INTERNAL} (the mode libcuda itself is built in) cuda.h keeps every _v2
     * declaration and also declares the legacy entry points under their own names. cublas_api.h must be
     * included through cublas_v2.h (see the emitted comment).
     */
    static final Map<String, String> PRELUDE = Map.of("cuda.h", """
            // cuda.h #defines many public names to newer entry points (cuMemAlloc -> cuMemAlloc_v2, and since
            // CUDA 12.8 cuEventElapsedTime -> cuEventElapsedTime_v2). The bindings call exact exported symbols,
            // so each one's own declaration is needed: under __CUDA_API_VERSION_INTERNAL (the mode libcuda itself
            // is built in) cuda.h keeps the _v2 declarations and also declares the legacy entry points by name.
            #define __CUDA_API_VERSION_INTERNAL 1
            """, "cublas_api.h", """
            // cublas_api.h is meant to be included through cublas_v2.h: the CUDA 12.x and 13.0 copies #error unless
            // CUBLASAPI is defined, which cublas_v2.h does first. cublas_v2.h also #defines the legacy names to the
            // _v2 entry points (cublasCreate -> cublasCreate_v2); the #ifdef checks below make sure that none of the
            // names the bindings call is such a macro.
            #include <cublas_v2.h>
            """);

    /**
     * Symbols that older headers do not declare at all, with the preprocessor condition under which the header
     * must declare them. Not a list of prototypes: the prototype is still checked wherever the header has it.
     */
    static final Map<String, String> DECLARED_SINCE = Map.of(
            "cuEventElapsedTime_v2", "CUDA_VERSION >= 12080");

    /** The sections of includes.txt, in file order. */
    static List<Section> sections() throws IOException {
        List<Section> out = new ArrayList<>();
        try (InputStream in = HeaderCheckSource.class.getResourceAsStream("/sealjvm/bindings/includes.txt")) {
            if (in == null) {
                throw new IOException("sealjvm/bindings/includes.txt is not on the classpath");
            }
            String[] head = null;
            List<String> functions = new ArrayList<>();
            List<String> constants = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.startsWith("## ")) {
                    if (head != null) {
                        out.add(new Section(head[1], head[2], head[3], List.copyOf(functions), List.copyOf(constants)));
                    }
                    head = line.split(" ");
                    functions.clear();
                    constants.clear();
                } else if (line.startsWith("--include-function ")) {
                    functions.add(line.substring("--include-function ".length()).strip());
                } else if (line.startsWith("--include-constant ")) {
                    constants.add(line.substring("--include-constant ".length()).strip());
                }
            }
            if (head != null) {
                out.add(new Section(head[1], head[2], head[3], List.copyOf(functions), List.copyOf(constants)));
            }
        }
        return out;
    }

    private static final Pattern ENUM_DOC = Pattern.compile(
            "\\{@snippet lang=c : enum ([A-Za-z_][A-Za-z_0-9]*|<anonymous>)\\.([A-Za-z_][A-Za-z_0-9]*) = (-?[0-9]+) }");

    /** The C++ source checking {@code section}'s binding class ({@code javaSource} is its .java text). */
    static String generate(Section section, String javaSource) throws ReflectiveOperationException {
        Class<?> header = section.bindingClass();
        StringBuilder cpp = new StringBuilder();
        cpp.append("// Generated by HeaderAgreementTest (native-bindings) from sealjvm.bindings.").append(section.className())
                .append(" and includes.txt. Do not edit.\n")
                .append("// Checks the bindings against the real ").append(section.header())
                .append(": constant values and enum types; for every function its exact C type (the binding's\n")
                .append("// javadoc prototype) and, as the FunctionDescriptor says, the parameter count and, for the return\n")
                .append("// type and each parameter, pointer / integer (or enum) / floating point and size.\n")
                .append("// Compiles (silently) exactly when the bindings agree with the header:\n")
                .append("//   g++ -std=c++17 -fsyntax-only -I/usr/local/cuda/include ").append(section.className()).append(".cpp\n\n");
        String prelude = PRELUDE.get(section.header());
        if (prelude != null) {
            cpp.append(prelude).append('\n');
        }
        cpp.append("#include <cstddef>\n#include <type_traits>\n#include <").append(section.header()).append(">\n\n");
        cpp.append(SUPPORT);

        cpp.append("\n// ---- constants ----\n");
        Map<String, String[]> enumDocs = new java.util.HashMap<>();
        Matcher m = ENUM_DOC.matcher(javaSource);
        while (m.find()) {
            enumDocs.put(m.group(2), new String[] {m.group(1), m.group(3)});
        }
        for (String name : section.constants()) {
            int value = (int) header.getMethod(name).invoke(null);
            String[] doc = enumDocs.get(name);
            if (doc == null) {
                throw new IllegalStateException(section.className() + "." + name
                        + ": no '{@snippet lang=c : enum X." + name + " = value }' javadoc");
            }
            if (Long.parseLong(doc[1]) != value) {
                throw new IllegalStateException(section.className() + "." + name + " returns " + value
                        + " but its javadoc says " + doc[1]);
            }
            cpp.append("\n// ").append(name).append(": enum ").append(doc[0]).append('.').append(name).append(" = ")
                    .append(value).append('\n');
            cpp.append("static_assert(").append(name).append(" == ").append(value).append(", \"").append(name)
                    .append(": the binding says ").append(value).append("\");\n");
            if (!doc[0].equals("<anonymous>")) {
                cpp.append("static_assert(std::is_same<decltype(").append(name).append("), ").append(doc[0])
                        .append(">::value, \"").append(name).append(": the binding says it is an enumerator of ")
                        .append(doc[0]).append("\");\n");
            }
        }

        cpp.append("\n// ---- functions ----\n");
        for (String fn : section.functions()) {
            FunctionDescriptor desc = (FunctionDescriptor) header.getMethod(fn + "$descriptor").invoke(null);
            String proto = prototype(javaSource, fn).orElseThrow(() -> new IllegalStateException(section.className()
                    + "." + fn + ": no '{@snippet lang=c : <C prototype> }' javadoc"));
            List<String> paramNames = parameterNames(proto);
            String alias = "sealjvm_sig_" + fn;
            cpp.append("\n// ").append(fn).append(": ").append(describe(desc)).append('\n');
            cpp.append("//   binding's C prototype: ").append(proto).append('\n');
            String since = DECLARED_SINCE.get(fn);
            if (since != null) {
                cpp.append("#if ").append(since).append('\n');
            }
            cpp.append("#ifdef ").append(fn).append('\n')
                    .append("#error \"").append(fn).append(" is a macro here, so &").append(fn)
                    .append(" would check another symbol than the one the binding calls\"\n")
                    .append("#endif\n");
            // The javadoc prototype as a function pointer type: the header must declare fn with exactly this type
            // (which also picks the extern "C" function where cuBLAS adds C++ overloads of the same name).
            cpp.append("using ").append(alias).append(" = ").append(functionPointerType(proto, fn)).append(";\n");
            cpp.append("[[maybe_unused]] constexpr ").append(alias).append(" sealjvm_fn_").append(fn).append(" = &")
                    .append(fn).append(";  // fails if the header's type differs from the binding's prototype\n");
            int n = desc.argumentLayouts().size();
            cpp.append("static_assert(sealjvm_check::fn<").append(alias).append(">::arity == ").append(n)
                    .append(", \"").append(fn).append(": the binding passes ").append(n)
                    .append(n == 1 ? " parameter" : " parameters").append("\");\n");
            String[] ret = desc.returnLayout().map(HeaderCheckSource::kind).orElse(new String[] {"void_type", "0", "void"});
            cpp.append("static_assert(sealjvm_check::expect<sealjvm_check::fn<").append(alias).append(">::ret, sealjvm_check::")
                    .append(ret[0]).append(", ").append(ret[1]).append(">::ok, \"").append(fn)
                    .append(" return type: the binding says ").append(ret[2]).append("\");\n");
            for (int i = 0; i < n; i++) {
                String[] k = kind(desc.argumentLayouts().get(i));
                String pname = i < paramNames.size() ? " (" + paramNames.get(i) + ")" : "";
                cpp.append("static_assert(sealjvm_check::expect<sealjvm_check::param_t<").append(alias).append(", ")
                        .append(i).append(">, sealjvm_check::").append(k[0]).append(", ").append(k[1]).append(">::ok, \"")
                        .append(fn).append(" parameter ").append(i + 1).append(pname).append(": the binding says ")
                        .append(k[2]).append("\");\n");
            }
            if (since != null) {
                cpp.append("#else\n#pragma message(\"").append(fn).append(" not checked: this header predates it (")
                        .append(since.replace("\"", "")).append(" is false)\")\n#endif\n");
            }
        }
        return cpp.toString();
    }

    /** Kind (sealjvm_check::kinds), byte size and a description of one descriptor layout. */
    private static String[] kind(MemoryLayout layout) {
        long size = layout.byteSize();
        if (layout instanceof AddressLayout) {
            return new String[] {"pointer", Long.toString(size), "a pointer"};
        }
        if (layout instanceof ValueLayout.OfFloat || layout instanceof ValueLayout.OfDouble) {
            return new String[] {"floating_point", Long.toString(size), "floating point, " + size + " bytes"};
        }
        if (layout instanceof ValueLayout.OfByte || layout instanceof ValueLayout.OfShort
                || layout instanceof ValueLayout.OfInt || layout instanceof ValueLayout.OfLong
                || layout instanceof ValueLayout.OfChar || layout instanceof ValueLayout.OfBoolean) {
            return new String[] {"integer", Long.toString(size), "integer or enum, " + size + (size == 1 ? " byte" : " bytes")};
        }
        throw new IllegalArgumentException("no C++ check for layout " + layout + " (structs by value are not bound)");
    }

    private static String describe(FunctionDescriptor desc) {
        List<String> args = desc.argumentLayouts().stream().map(HeaderCheckSource::shortName).toList();
        return "descriptor (" + String.join(", ", args) + ") -> "
                + desc.returnLayout().map(HeaderCheckSource::shortName).orElse("void");
    }

    private static String shortName(MemoryLayout layout) {
        String[] k = kind(layout);
        int bits = Integer.parseInt(k[1]) * 8;
        return switch (k[0]) {
            case "pointer" -> "pointer";
            case "floating_point" -> bits == 32 ? "float" : "double";
            default -> "int" + bits;
        };
    }

    /** The binding's javadoc prototype of {@code fn}, e.g. {@code CUresult cuInit(unsigned int Flags)}. */
    static Optional<String> prototype(String javaSource, String fn) {
        Matcher m = Pattern.compile("\\{@snippet lang=c : ([^{}]*[ *]" + Pattern.quote(fn) + "\\([^{}]*\\)) }")
                .matcher(javaSource);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static final java.util.Set<String> TYPE_WORDS = java.util.Set.of(
            "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "const", "volatile");

    /**
     * {@code RET (*)(T1, T2)} from a C prototype {@code RET fn(T1 a, T2 b)}: parameter names are dropped (they
     * could collide with macros), so e.g. {@code const char *const *headers} becomes {@code const char *const *}.
     */
    static String functionPointerType(String prototype, String fn) {
        int open = prototype.indexOf(fn + "(");
        String ret = prototype.substring(0, open).strip();
        String params = prototype.substring(open + fn.length() + 1, prototype.lastIndexOf(')')).strip();
        List<String> types = new ArrayList<>();
        if (!params.isEmpty()) {
            for (String p : params.split(",")) {
                String param = p.strip();
                Matcher m = Pattern.compile("^(.*?[\\s*])([A-Za-z_][A-Za-z_0-9]*)$").matcher(param);
                if (m.matches() && !TYPE_WORDS.contains(m.group(2))) {
                    param = m.group(1).strip();
                }
                types.add(param);
            }
        }
        return ret + " (*)(" + String.join(", ", types) + ")";
    }

    /** Parameter names of a C prototype (no function-pointer parameters in what we bind). */
    static List<String> parameterNames(String prototype) {
        String params = prototype.substring(prototype.indexOf('(') + 1, prototype.lastIndexOf(')')).strip();
        List<String> names = new ArrayList<>();
        if (params.isEmpty() || params.equals("void")) {
            return names;
        }
        for (String p : params.split(",")) {
            Matcher m = Pattern.compile("([A-Za-z_][A-Za-z_0-9]*)\\s*$").matcher(p.strip());
            names.add(m.find() ? m.group(1) : p.strip());
        }
        return names;
    }

    /** Type-classification helpers; a failing check fails inside expect&lt;T, ...&gt;, so g++ names the header's T. */
    private static final String SUPPORT = """
            namespace sealjvm_check {
            struct no_such_parameter {};
            enum kinds { pointer, integer, floating_point, void_type, other };  // integer includes enums
            template <class T> constexpr kinds kind() {
                return std::is_pointer<T>::value ? pointer
                     : (std::is_integral<T>::value || std::is_enum<T>::value) ? integer
                     : std::is_floating_point<T>::value ? floating_point
                     : std::is_void<T>::value ? void_type : other;
            }
            template <class T> struct size_of { static constexpr std::size_t value = sizeof(T); };
            template <> struct size_of<void> { static constexpr std::size_t value = 0; };
            template <class... A> struct pack {};
            template <std::size_t I, class P> struct nth { using type = no_such_parameter; };
            template <class H, class... T> struct nth<0, pack<H, T...>> { using type = H; };
            template <std::size_t I, class H, class... T> struct nth<I, pack<H, T...>> {
                using type = typename nth<I - 1, pack<T...>>::type;
            };
            template <class F> struct fn;  // only function pointers: anything else is not a function the binding can call
            template <class R, class... A> struct fn<R (*)(A...)> {
                using ret = R;
                using params = pack<A...>;
                static constexpr std::size_t arity = sizeof...(A);
            };
            template <class R, class... A> struct fn<R (*)(A...) noexcept> : fn<R (*)(A...)> {};
            template <class F, std::size_t I> using param_t = typename nth<I, typename fn<F>::params>::type;
            // T is the header's type ('required from' in g++'s message names it); Kind/Size are the binding's.
            template <class T, kinds Kind, std::size_t Size> struct expect {
                static_assert(kind<T>() == Kind, "pointer / integer / floating-point kind differs from the binding");
                static_assert(size_of<T>::value == Size, "size differs from the binding");
                static constexpr bool ok = kind<T>() == Kind && size_of<T>::value == Size;
            };
            }  // namespace sealjvm_check
            """;
}
