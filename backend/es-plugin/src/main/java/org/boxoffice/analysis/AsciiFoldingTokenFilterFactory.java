package org.boxoffice.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/**
 * {@code boxoffice_ascii_folding}: Lucene's ASCIIFoldingFilter (Beyoncé -> Beyonce, Motörhead -> Motorhead).
 * Setting {@code preserve_original} (default false) also emits the unfolded token.
 * Note: Elasticsearch 8.15 refuses stable-API filters in custom normalizers (keyword fields), whatever
 * {@code normalize()} returns; fold in the application or use a text field for those.
 */
@NamedComponent("boxoffice_ascii_folding")
public class AsciiFoldingTokenFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @BooleanSetting(path = "preserve_original", defaultValue = false)
        boolean preserveOriginal();
    }

    private final boolean preserveOriginal;

    @Inject
    public AsciiFoldingTokenFilterFactory(Settings settings) {
        this.preserveOriginal = settings.preserveOriginal();
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
    }
}
