package sealjvm.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Runs everywhere (no CUDA needed): the descriptors must be linkable by this platform's ABI, each
 * Java wrapper must match its descriptor exactly (a mismatch would only show as a
 * WrongMethodTypeException on a GPU machine), and includes.txt must list exactly what the classes bind.
 */
class BindingsShapeTest {

    private static final List<Class<?>> HEADERS = List.of(cuda_h.class, nvrtc_h.class, cublas_api_h.class);

    /** Section class name → the lines of that section. */
    private static Map<String, List<String>> includes() throws IOException {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        try (InputStream in = BindingsShapeTest.class.getResourceAsStream("/sealjvm/bindings/includes.txt")) {
            assertNotNull(in, "includes.txt on the classpath");
            String current = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.startsWith("## ")) {
                    current = line.split(" ")[1];
                    sections.put(current, new ArrayList<>());
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    assertNotNull(current, "entry before any section: " + line);
                    sections.get(current).add(line.strip());
                }
            }
        }
        return sections;
    }

    private static boolean isFunction(Class<?> header, String name) {
        return Arrays.stream(header.getDeclaredClasses()).anyMatch(c -> c.getSimpleName().equals(name));
    }

    @Test
    void includesListMatchesTheBindingClassesBothWays() throws Exception {
        Map<String, List<String>> sections = includes();
        assertEquals(HEADERS.stream().map(Class::getSimpleName).toList(), List.copyOf(sections.keySet()));
        for (Class<?> header : HEADERS) {
            TreeSet<String> bound = new TreeSet<>();
            for (Method m : header.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.getName().contains("$")) {
                    continue; // $descriptor/$handle/$address accessors belong to their function
                }
                bound.add((isFunction(header, m.getName()) ? "--include-function " : "--include-constant ") + m.getName());
            }
            List<String> listed = sections.get(header.getSimpleName());
            assertEquals(listed.size(), new TreeSet<>(listed).size(), "duplicates in includes.txt for " + header);
            assertEquals(new TreeSet<>(listed), bound, "includes.txt vs " + header.getSimpleName());
        }
    }

    @Test
    void everyDescriptorLinksAndMatchesItsJavaSignature() throws Exception {
        Linker linker = Linker.nativeLinker();
        int checked = 0;
        for (Class<?> header : HEADERS) {
            for (Method m : header.getDeclaredMethods()) {
                if (!m.getName().endsWith("$descriptor")) {
                    continue;
                }
                String fn = m.getName().substring(0, m.getName().length() - "$descriptor".length());
                FunctionDescriptor desc = (FunctionDescriptor) m.invoke(null); // initialises the holder: must not throw
                // An unbound downcall validates the descriptor against the platform ABI without any library.
                assertNotNull(linker.downcallHandle(desc), fn);
                MethodType expected = desc.toMethodType();
                Method wrapper = header.getMethod(fn, expected.parameterArray());
                assertEquals(expected.returnType(), wrapper.getReturnType(), fn);
                MethodType handleType = ((java.lang.invoke.MethodHandle) header.getMethod(fn + "$handle").invoke(null)).type();
                assertEquals(expected, handleType, fn + " handle type");
                assertNotNull(header.getMethod(fn + "$address").invoke(null), fn);
                checked++;
            }
        }
        assertEquals(55, checked, "functions bound across the three headers");
    }

    @Test
    void constantsHaveTheHeaderValues() {
        assertEquals(0, cuda_h.CUDA_SUCCESS());
        assertEquals(75, cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR());
        assertEquals(76, cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR());
        assertEquals(0, nvrtc_h.NVRTC_SUCCESS());
        assertEquals(0, cublas_api_h.CUBLAS_OP_N());
        assertEquals(1, cublas_api_h.CUBLAS_OP_T());
        assertEquals(0, cublas_api_h.CUDA_R_32F());
        assertEquals(68, cublas_api_h.CUBLAS_COMPUTE_32F());
        assertEquals(77, cublas_api_h.CUBLAS_COMPUTE_32F_FAST_TF32());
        assertEquals(-1, cublas_api_h.CUBLAS_GEMM_DEFAULT());
        assertEquals(3, cublas_api_h.CUBLAS_TF32_TENSOR_OP_MATH());
    }

    @Test
    void cudaExceptionMessageNamesCallCodeAndText() {
        CudaException e = new CudaException("cuda", "cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory");
        assertTrue(e.getMessage().contains("cuMemAlloc_v2") && e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY")
                && e.getMessage().contains("2") && e.getMessage().contains("out of memory"), e.getMessage());
        assertEquals(2, e.code());
    }
}
