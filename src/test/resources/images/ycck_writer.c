/* Writes a YCCK JPEG (Adobe marker, transform 2) from raw Adobe-inverted CMYK samples with libjpeg, as Photoshop
 * saves CMYK JPEGs; PIL cannot write YCCK. Built and run by make_format_fixtures.py (gcc, libjpeg62-turbo-dev).
 * Usage: ycck_writer RAW_CMYK WIDTH HEIGHT OUT.jpg */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
int main(int argc, char **argv) {
  int w = atoi(argv[2]), h = atoi(argv[3]);
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[4], "wb");
  unsigned char *px = malloc(w * h * 4);
  if (fread(px, 4, w * h, in) != (size_t) (w * h)) return 1;
  struct jpeg_compress_struct c; struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e); jpeg_create_compress(&c); jpeg_stdio_dest(&c, out);
  c.image_width = w; c.image_height = h; c.input_components = 4; c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c); jpeg_set_colorspace(&c, JCS_YCCK); jpeg_set_quality(&c, 95, TRUE);
  c.write_Adobe_marker = TRUE;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) { JSAMPROW row = px + c.next_scanline * w * 4; jpeg_write_scanlines(&c, &row, 1); }
  jpeg_finish_compress(&c); fclose(out); return 0;
}
