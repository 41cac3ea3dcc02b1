// SEAL CUDA emulator — kernel source scanner, shared by the build-time generator (gen.cpp) and the
// emulated NVRTC (nvrtc.cpp) so that both see the same kernels and compute the same fingerprints.
//
// A kernel is a definition `extern "C" __global__ [__launch_bounds__(...)] void NAME(...) {...}`.
// Its fingerprint is a 64-bit FNV-1a hash of the definition's text (from `extern` to the closing
// brace) with comments removed and every run of whitespace collapsed to one space: NVRTC refuses a
// program whose kernel text differs from the text the emulator was built from (a stale build).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cuemu_scan {

struct Kernel {
    std::string name;
    uint64_t fingerprint;
    int line;  // 1-based line of `extern`
};

struct Result {
    std::vector<Kernel> kernels;
    std::vector<std::string> errors;  // "LINE: message"
};

inline bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Comments become spaces (newlines kept, so line numbers stay right). Inside string and character
// literals, brackets become '_' so that bracket matching needs no literal awareness.
inline std::string strip(const std::string& s) {
    std::string out = s;
    size_t n = s.size();
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n') out[i++] = ' ';
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            out[i] = out[i + 1] = ' ';
            i += 2;
            while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/')) {
                if (s[i] != '\n') out[i] = ' ';
                i++;
            }
            if (i < n) {
                out[i] = out[i + 1] = ' ';
                i += 2;
            }
        } else if (c == '"' || c == '\'') {
            char q = c;
            i++;
            while (i < n && s[i] != q && s[i] != '\n') {
                if (s[i] == '\\' && i + 1 < n) {
                    i += 2;
                    continue;
                }
                if (s[i] == '{' || s[i] == '}' || s[i] == '(' || s[i] == ')') out[i] = '_';
                i++;
            }
            if (i < n) i++;
        } else {
            i++;
        }
    }
    return out;
}

inline uint64_t fingerprint(const std::string& text) {
    uint64_t h = 1469598103934665603ULL;
    bool space = false, any = false;
    for (char c : text) {
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (ws) {
            space = any;
            continue;
        }
        if (space) {
            h = (h ^ (unsigned char)' ') * 1099511628211ULL;
            space = false;
        }
        h = (h ^ (unsigned char)c) * 1099511628211ULL;
        any = true;
    }
    return h;
}

inline int line_of(const std::string& s, size_t pos) {
    int line = 1;
    for (size_t i = 0; i < pos && i < s.size(); i++) line += s[i] == '\n';
    return line;
}

inline size_t skip_ws(const std::string& s, size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v'))
        i++;
    return i;
}

inline bool word_at(const std::string& s, size_t i, const char* w) {
    size_t len = std::char_traits<char>::length(w);
    if (s.compare(i, len, w) != 0) return false;
    if (i > 0 && ident_char(s[i - 1])) return false;
    return i + len >= s.size() || !ident_char(s[i + len]);
}

// Index just past the bracket matching the one at `open` ('(' or '{'), or npos.
inline size_t match(const std::string& s, size_t open) {
    char o = s[open], c = o == '(' ? ')' : '}';
    int depth = 0;
    for (size_t i = open; i < s.size(); i++) {
        if (s[i] == o) depth++;
        if (s[i] == c && --depth == 0) return i + 1;
    }
    return std::string::npos;
}

inline Result scan(const std::string& source) {
    Result r;
    std::string s = strip(source);
    for (size_t pos = s.find("__shared__"); pos != std::string::npos; pos = s.find("__shared__", pos + 1)) {
        if (!word_at(s, pos, "__shared__")) continue;
        size_t b = pos;
        while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r')) b--;
        if (b >= 6 && word_at(s, b - 6, "extern")) {
            r.errors.push_back(std::to_string(line_of(s, pos)) +
                               ": extern __shared__ (dynamic shared memory) is not supported by the SEAL CUDA emulator;"
                               " use a static __shared__ array");
        }
    }
    for (size_t pos = s.find("__global__"); pos != std::string::npos; pos = s.find("__global__", pos + 1)) {
        if (!word_at(s, pos, "__global__")) continue;
        int line = line_of(s, pos);
        auto fail = [&](const std::string& why) {
            r.errors.push_back(std::to_string(line) + ": " + why +
                               " (kernels must be written `extern \"C\" __global__ void name(...) { ... }`)");
        };
        // Backwards: `extern "C"` right before __global__.
        size_t b = pos;
        while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r')) b--;
        size_t start = std::string::npos;
        if (b >= 3 && s.compare(b - 3, 3, "\"C\"") == 0) {
            size_t e = b - 3;
            while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) e--;
            if (e >= 6 && word_at(s, e - 6, "extern")) start = e - 6;
        }
        if (start == std::string::npos) {
            fail("__global__ function without extern \"C\"");
            continue;
        }
        size_t i = skip_ws(s, pos + 10);
        if (word_at(s, i, "__launch_bounds__")) {
            i = skip_ws(s, i + 17);
            if (i >= s.size() || s[i] != '(') {
                fail("malformed __launch_bounds__");
                continue;
            }
            i = match(s, i);
            if (i == std::string::npos) {
                fail("unbalanced parentheses");
                continue;
            }
            i = skip_ws(s, i);
        }
        if (!word_at(s, i, "void")) {
            fail("kernel must return void");
            continue;
        }
        i = skip_ws(s, i + 4);
        size_t n0 = i;
        while (i < s.size() && ident_char(s[i])) i++;
        std::string name = s.substr(n0, i - n0);
        i = skip_ws(s, i);
        if (name.empty() || i >= s.size() || s[i] != '(') {
            fail("expected the kernel name and its parameter list");
            continue;
        }
        size_t close = match(s, i);
        if (close == std::string::npos) {
            fail("unbalanced parentheses in the parameter list of " + name);
            continue;
        }
        i = skip_ws(s, close);
        if (i < s.size() && s[i] == ';') continue;  // a declaration only
        if (i >= s.size() || s[i] != '{') {
            fail("expected the body of kernel " + name);
            continue;
        }
        size_t end = match(s, i);
        if (end == std::string::npos) {
            fail("unbalanced braces in kernel " + name);
            continue;
        }
        r.kernels.push_back(Kernel{name, fingerprint(s.substr(start, end - start)), line_of(s, start)});
        pos = end - 1;
    }
    return r;
}

}  // namespace cuemu_scan
