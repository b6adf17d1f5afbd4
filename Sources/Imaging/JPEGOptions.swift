/// libjpeg's inverse/forward DCT choices (libjpeg.txt, "dct_method").
public enum JPEGDCTMethod: Int32, Sendable {
    /// JDCT_ISLOW: the accurate integer DCT, djpeg/cjpeg's default (`-dct int`). libjpeg-turbo
    /// runs it in SIMD, so it is about as fast as IFAST; this is the default here.
    case accurateInteger = 0
    /// JDCT_IFAST (`-dct fast`): less accurate, noticeably worse at quality > 90; not faster on
    /// x86-64 with libjpeg-turbo's SIMD, kept for comparisons.
    case fastInteger = 1
    /// JDCT_FLOAT (`-dct float`): results depend on the CPU's floating point; avoid for reproducibility.
    case float = 2
}

/// How to decode a JPEG (libjpeg.txt, "Decompression parameter selection").
public struct JPEGDecodeOptions: Sendable, Equatable {
    /// IDCT method; default `.accurateInteger` (JDCT_ISLOW), the same as `djpeg` and Pillow.
    public var dctMethod: JPEGDCTMethod
    /// Fancy (triangle) chroma upsampling, default on as in djpeg and Pillow; off = `djpeg -nosmooth`.
    public var fancyUpsampling: Bool
    /// Turn data-damaging warnings (premature end of data, bad Huffman codes, lost markers) into
    /// errors instead of returning gray-filled pixels (Pillow raises on truncation too). Default on.
    public var strict: Bool
    /// Size limits checked before allocation.
    public var limits: ImageLimits

    /// Creates options; every default matches `djpeg`'s defaults.
    public init(dctMethod: JPEGDCTMethod = .accurateInteger, fancyUpsampling: Bool = true, strict: Bool = true,
                limits: ImageLimits = .standard) {
        self.dctMethod = dctMethod; self.fancyUpsampling = fancyUpsampling; self.strict = strict; self.limits = limits
    }

    /// djpeg's defaults, 64 Mpixel limit.
    public static let standard = JPEGDecodeOptions()
}

/// Chroma subsampling for JPEG encoding (libjpeg.txt, "comp_info[].h_samp_factor").
public enum JPEGSubsampling: Int32, Sendable {
    /// 2x2 chroma (cjpeg's and Pillow's default).
    case s420 = 0
    /// 2x1 chroma.
    case s422 = 1
    /// Full-resolution chroma (`cjpeg -sample 1x1`).
    case s444 = 2
}

/// How to encode a JPEG (libjpeg.txt, "Compression parameter selection").
public struct JPEGEncodeOptions: Sendable, Equatable {
    /// 1...100, libjpeg's quality scaling (`jpeg_set_quality`, baseline tables forced); default 90.
    public var quality: Int
    /// Chroma subsampling; default 4:2:0. Ignored for gray images.
    public var subsampling: JPEGSubsampling
    /// Write a progressive JPEG (`jpeg_simple_progression`, `cjpeg -progressive`).
    public var progressive: Bool
    /// Optimal Huffman tables (`cjpeg -optimize`): a few % smaller, slower. Default off.
    public var optimizeCoding: Bool
    /// Forward DCT; default JDCT_ISLOW, as cjpeg (SIMD in libjpeg-turbo, exact to the spec's precision).
    public var dctMethod: JPEGDCTMethod

    /// Creates options; the defaults are quality 90, 4:2:0, baseline, ISLOW.
    public init(quality: Int = 90, subsampling: JPEGSubsampling = .s420, progressive: Bool = false,
                optimizeCoding: Bool = false, dctMethod: JPEGDCTMethod = .accurateInteger) {
        self.quality = quality; self.subsampling = subsampling; self.progressive = progressive
        self.optimizeCoding = optimizeCoding; self.dctMethod = dctMethod
    }
}

/// What a JPEG header says (read without decoding pixels).
public struct JPEGInfo: Sendable, Equatable {
    /// Size in pixels.
    public var width: Int, height: Int
    /// Components in the file: 1 gray, 3 colour, 4 CMYK/YCCK.
    public var components: Int
    /// Whether the file is progressive.
    public var progressive: Bool
}
