import Testing
@testable import Imaging

@Suite struct ErrorKindTests {
    @Test func kindsAreStable() {
        #expect(ImageError(.corruptJPEG, source: "x", detail: "d").kind == "corrupt-jpeg")
        #expect(ImageError(.imageTooLarge, source: "x", detail: "d").kind == "image-too-large")
        #expect(ImageError(.truncatedImage, source: "x", detail: "d").message.hasPrefix("x: d ("))
    }
}
