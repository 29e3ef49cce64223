<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an RSS 2.0 or Atom 1.0 feed of Ms-News.Ru as a readable Russian page
     in browsers that run XSLT. Feed readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="home" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="rights" select="/rss/channel/copyright | /atom:feed/atom:rights"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="license" select="/rss/channel/atom:link[@rel='license']/@href | /atom:feed/atom:link[@rel='license']/@href"/>

  <xsl:template match="/">
    <html lang="ru">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> — лента новостей</title>
        <style>
          body { font: 17px/1.55 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #f6f4ef; margin: 0; }
          main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
          .about { background: #fffbe6; border: 1px solid #e6d9a2; border-radius: 6px; padding: 1rem 1.25rem; font-family: Arial, sans-serif; font-size: 15px; }
          .about code { background: #fff; border: 1px solid #ddd; padding: 0 .3em; word-break: break-all; }
          h1 { font-size: 1.9rem; margin: 1.2rem 0 .3rem; }
          .desc { color: #555; margin: 0 0 1.5rem; }
          article { border-top: 1px solid #d8d3c7; padding: 1rem 0; }
          article h2 { font-size: 1.25rem; margin: 0 0 .25rem; }
          article h2 a { color: #8b1a1a; text-decoration: none; }
          article h2 a:hover { text-decoration: underline; }
          .meta { color: #777; font: 13px Arial, sans-serif; margin-bottom: .4rem; }
          .rights { margin-top: 2rem; padding-top: 1rem; border-top: 3px double #bbb; font: 13px/1.5 Arial, sans-serif; color: #444; }
        </style>
      </head>
      <body>
        <main>
          <div class="about">
            <strong>Это лента новостей (<xsl:choose><xsl:when test="/rss">RSS</xsl:when><xsl:otherwise>Atom</xsl:otherwise></xsl:choose>).</strong>
            Чтобы получать новые материалы, скопируйте адрес этой страницы
            <code><xsl:value-of select="$self"/></code>
            в программу или сервис для чтения лент (например, Feedly, Inoreader, NetNewsWire, Thunderbird).
          </div>
          <h1><a href="{$home}" style="color:inherit;text-decoration:none"><xsl:value-of select="$title"/></a></h1>
          <p class="desc"><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
          <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          <div class="rights">
            <p><strong>Условия перепечатки.</strong><xsl:text> </xsl:text><xsl:value-of select="$rights"/></p>
            <p><a href="{$license}">Подробнее об условиях перепечатки</a></p>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <div class="meta"><xsl:value-of select="pubDate"/>
        <xsl:for-each select="dc:creator"> · <xsl:value-of select="."/></xsl:for-each></div>
      <p><xsl:value-of select="description"/></p>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <div class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/>
        <xsl:for-each select="atom:author/atom:name"> · <xsl:value-of select="."/></xsl:for-each></div>
      <p><xsl:value-of select="atom:summary"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
